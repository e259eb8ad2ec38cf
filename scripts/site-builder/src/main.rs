//! Builds `target/site`: the hydrating wasm (split into one lazily loaded module per page), its
//! JS glue, the stylesheet and the public assets. The same steps, in the same order and with
//! the same options, as `cargo leptos build --split` (release: `--release`), so the server finds
//! the files where Leptos expects them:
//!
//! 1. `cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate`
//!    (`--profile wasm-release` for release; the relocations the splitter reads come from
//!    `.cargo/config.toml`);
//! 2. split the wasm at Leptos's lazy routes, writing `__wasm_split_manifest.json`, which the
//!    server reads to preload a page's chunks;
//! 3. wasm-bindgen (`--target web`), the main module renamed to `<name>.wasm`;
//! 4. release only: drop the custom sections browsers never read (function names, producers,
//!    DWARF) from every wasm file;
//! 5. the stylesheet to `pkg/<name>.css`, `public/` to the site root.
//!
//! Step 4 replaces cargo-leptos's `wasm-opt -Oz`. Measured on this site: the names section is
//! most of what wasm-opt removed; stripping it alone gives gzipped files within 2 % of
//! `-Oz` in total (smaller for the largest modules, whose `-Oz` output compresses worse) in
//! milliseconds, where npm's binaryen (the only wasm-opt that works here) took 7 minutes of
//! CPU for the 188 modules. rustc has already optimised the wasm for size (`opt-level = "z"`,
//! fat LTO: the `wasm-release` profile).
//!
//! Usage: `site-builder [--release] [--site-root DIR]`, run from the workspace root. Exit
//! code 0 on success, 1 on a failed step, 2 on bad usage.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The file stem Leptos's hydration scripts ask for; equal to the server's `OUTPUT_NAME` and to
/// `LEPTOS_OUTPUT_NAME` in `.cargo/config.toml` (a test in the server crate checks all three).
const OUTPUT_NAME: &str = "feast-console";
/// The crate compiled to wasm, and therefore the wasm file's stem.
const LIB_PACKAGE: &str = "app";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where the wasm is compiled: apart from the server's `target/`, so building one never
/// invalidates the other (cargo-leptos uses the same folder).
const FRONT_TARGET_DIR: &str = "target/front";
const STYLE_FILE: &str = "style/main.css";
const ASSETS_DIR: &str = "public";
/// The import path split chunks use for their loader, as cargo-leptos names it.
const SPLIT_LINK_NAME: &str = "./__wasm_split.______________________.js";

struct Options {
    release: bool,
    site_root: PathBuf,
}

type Failure = String;

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("site-builder: {message}");
            eprintln!("usage: site-builder [--release] [--site-root DIR]");
            return ExitCode::from(2);
        }
    };
    match build(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("site-builder: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, Failure> {
    let mut options = Options {
        release: false,
        site_root: PathBuf::from("target/site"),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--release" => options.release = true,
            "--site-root" => {
                options.site_root = args.next().ok_or("--site-root needs a folder")?.into()
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

fn build(options: &Options) -> Result<(), Failure> {
    let pkg_dir = options.site_root.join("pkg");
    // Chunks of an earlier build have other names; left behind, they would be served forever.
    if pkg_dir.exists() {
        std::fs::remove_dir_all(&pkg_dir)
            .map_err(|e| format!("cannot clear {}: {e}", pkg_dir.display()))?;
    }
    std::fs::create_dir_all(&pkg_dir)
        .map_err(|e| format!("cannot create {}: {e}", pkg_dir.display()))?;

    let profile_dir = if options.release {
        "wasm-release"
    } else {
        "debug"
    };
    let wasm_dir = Path::new(FRONT_TARGET_DIR)
        .join(WASM_TARGET)
        .join(profile_dir);
    step("compile the browser half (app → wasm)", || {
        compile_wasm(options.release)
    })?;

    let compiled = wasm_dir.join(format!("{LIB_PACKAGE}.wasm"));
    let split_main = wasm_dir.join(format!("{LIB_PACKAGE}_split.wasm"));
    let chunks = step("split the wasm at the lazy routes", || {
        split(&compiled, &split_main, &pkg_dir)
    })?;
    step("generate the JS glue (wasm-bindgen)", || {
        bindgen(&split_main, &pkg_dir, options.release)
    })?;
    if options.release {
        let mut files = vec![pkg_dir.join(format!("{OUTPUT_NAME}.wasm"))];
        files.extend(chunks);
        step("strip names and debug sections from the wasm files", || {
            strip_all(&files)
        })?;
    }
    step("copy the stylesheet and public assets", || {
        copy_assets(&options.site_root, &pkg_dir)
    })?;
    Ok(())
}

/// Runs one step, printing what it does and how long it took, so a long build never looks hung.
fn step<T>(what: &str, run: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    println!("[site] {what} ...");
    let started = Instant::now();
    let result = run();
    let seconds = started.elapsed().as_secs_f64();
    match &result {
        Ok(_) => println!("[site] {what}: done in {seconds:.1} s"),
        Err(_) => println!("[site] {what}: FAILED after {seconds:.1} s"),
    }
    result
}

fn compile_wasm(release: bool) -> Result<(), Failure> {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.args([
        "build",
        "--package",
        LIB_PACKAGE,
        "--lib",
        "--target",
        WASM_TARGET,
        "--target-dir",
        FRONT_TARGET_DIR,
    ]);
    cargo.args(["--no-default-features", "--features", "hydrate"]);
    if release {
        cargo.args(["--profile", "wasm-release"]);
    }
    run(&mut cargo, "cargo build of the wasm")
}

fn split(compiled: &Path, split_main: &Path, pkg_dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let input =
        std::fs::read(compiled).map_err(|e| format!("cannot read {}: {e}", compiled.display()))?;
    let main_module = format!("./{OUTPUT_NAME}.js");
    let mut opts = wasm_split_cli_support::Options::new(&input);
    opts.output_dir = pkg_dir;
    opts.main_out_path = split_main;
    opts.main_module = &main_module;
    opts.link_name = SPLIT_LINK_NAME;
    let split = wasm_split_cli_support::transform(opts)
        .map_err(|e| format!("splitting the wasm failed: {e:#}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)
        .map_err(|e| format!("split manifest: {e}"))?;
    let manifest_path = pkg_dir.join("__wasm_split_manifest.json");
    std::fs::write(&manifest_path, manifest)
        .map_err(|e| format!("cannot write {}: {e}", manifest_path.display()))?;
    Ok(split.split_modules)
}

fn bindgen(split_main: &Path, pkg_dir: &Path, release: bool) -> Result<(), Failure> {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(split_main)
        .out_name(OUTPUT_NAME)
        // The split chunks call the main module through its linker exports and mangled names.
        .keep_lld_exports(true)
        .demangle(false)
        .debug(!release)
        .typescript(false)
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;
    bindgen
        .generate(pkg_dir)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;
    // Leptos's hydration scripts ask for `<name>.wasm`, not wasm-bindgen's `<name>_bg.wasm`.
    let generated = pkg_dir.join(format!("{OUTPUT_NAME}_bg.wasm"));
    let wanted = pkg_dir.join(format!("{OUTPUT_NAME}.wasm"));
    std::fs::rename(&generated, &wanted)
        .map_err(|e| format!("cannot rename {}: {e}", generated.display()))
}

fn strip_all(files: &[PathBuf]) -> Result<(), Failure> {
    for file in files {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let stripped =
            strip_custom_sections(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        std::fs::write(file, stripped)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(())
}

/// Copies a wasm module without its `name`, `producers` and `.debug*` custom sections; every
/// other section is copied byte for byte. Only the section framing is read: an 8-byte header,
/// then sections of `id: u8, size: LEB128 u32, payload`, custom sections (id 0) starting with
/// their name as a LEB128 length and UTF-8 bytes.
fn strip_custom_sections(module: &[u8]) -> Result<Vec<u8>, String> {
    const HEADER: usize = 8;
    if module.len() < HEADER || &module[..4] != b"\0asm" {
        return Err("not a wasm module".into());
    }
    let mut out = Vec::with_capacity(module.len());
    out.extend_from_slice(&module[..HEADER]);
    let mut at = HEADER;
    while at < module.len() {
        let id = module[at];
        let (size, payload) = read_leb_u32(module, at + 1)?;
        let end = payload
            .checked_add(size as usize)
            .filter(|end| *end <= module.len())
            .ok_or("a section runs past the end of the module")?;
        let dropped = id == 0 && {
            let (name_len, name_at) = read_leb_u32(module, payload)?;
            let name = module
                .get(name_at..name_at + name_len as usize)
                .ok_or("a custom section's name runs past its section")?;
            name == b"name" || name == b"producers" || name.starts_with(b".debug")
        };
        if !dropped {
            out.extend_from_slice(&module[at..end]);
        }
        at = end;
    }
    Ok(out)
}

/// An unsigned LEB128 of at most 32 bits at `at`: its value and the offset after it.
fn read_leb_u32(bytes: &[u8], mut at: usize) -> Result<(u32, usize), String> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(at).ok_or("a LEB128 number runs past the end")?;
        at += 1;
        value |= u32::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    Err("a LEB128 number is longer than 5 bytes".into())
}

fn copy_assets(site_root: &Path, pkg_dir: &Path) -> Result<(), Failure> {
    let css = pkg_dir.join(format!("{OUTPUT_NAME}.css"));
    std::fs::copy(STYLE_FILE, &css).map_err(|e| format!("cannot copy {STYLE_FILE}: {e}"))?;
    copy_tree(Path::new(ASSETS_DIR), site_root)
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), Failure> {
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn run(command: &mut Command, what: &str) -> Result<(), Failure> {
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![id, payload.len() as u8];
        s.extend_from_slice(payload);
        s
    }

    fn custom(name: &str, body: &[u8]) -> Vec<u8> {
        let mut payload = vec![name.len() as u8];
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(body);
        section(0, &payload)
    }

    #[test]
    fn drops_names_producers_and_debug_sections_and_keeps_the_rest() {
        let header = b"\0asm\x01\0\0\0".to_vec();
        let types = section(1, &[0x01, 0x60, 0x00, 0x00]);
        let keep = custom("target_features", &[0]);
        let module = [
            header.clone(),
            types.clone(),
            custom("name", &[1, 2, 3]),
            keep.clone(),
            custom("producers", &[4]),
            custom(".debug_info", &[5, 6]),
        ]
        .concat();
        let stripped = strip_custom_sections(&module).expect("a valid module");
        assert_eq!(stripped, [header, types, keep].concat());
    }

    #[test]
    fn refuses_what_is_not_a_whole_module() {
        assert!(strip_custom_sections(b"\0asm").is_err());
        assert!(strip_custom_sections(b"notwasm!").is_err());
        let truncated = [b"\0asm\x01\0\0\0".as_slice(), &[1, 9, 0]].concat();
        assert!(strip_custom_sections(&truncated).is_err());
        let endless_leb = [
            b"\0asm\x01\0\0\0".as_slice(),
            &[1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        ]
        .concat();
        assert!(strip_custom_sections(&endless_leb).is_err());
    }
}
