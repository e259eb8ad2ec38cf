//! The Redis online-store probe: `AUTH`, `INFO persistence`, `INFO replication` and
//! `CONFIG GET save` spoken as RESP over a plain TCP stream. Four commands do not justify a
//! client crate.

use std::time::Duration;

use app::recovery::evidence::{RedisEvidence, RedisInfo};
use tokio::{
    io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};

const TIMEOUT: Duration = Duration::from_secs(5);
/// Bulk replies larger than this are refused (INFO sections are a few KiB).
const MAX_BULK: usize = 1 << 20;
/// Lines (status, error, length) longer than this are refused: a real one is a few bytes.
const MAX_LINE: usize = 64 * 1024;
/// Arrays nested deeper than this are refused (`CONFIG GET` answers one level).
const MAX_DEPTH: usize = 4;

/// Where and how to reach Redis, from `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`.
#[derive(Clone)]
pub struct RedisTarget {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.display())
    }
}

impl RedisTarget {
    pub fn parse(url: &str) -> Result<RedisTarget, String> {
        let rest = url.strip_prefix("redis://").ok_or_else(|| {
            "expected redis://[:PASSWORD@]HOST:PORT (rediss:// is not supported)".to_string()
        })?;
        let rest = rest.split(['/', '?']).next().unwrap_or_default();
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (user, password) = match auth {
            None => (None, None),
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (
                    Some(u.to_string()).filter(|u| !u.is_empty()),
                    Some(p.to_string()),
                ),
                None => (None, Some(a.to_string())),
            },
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("`{p}` is not a port"))?,
            ),
            None => (hostport, 6379),
        };
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        Ok(RedisTarget {
            host: host.trim_matches(['[', ']']).to_string(),
            port,
            user,
            password,
        })
    }

    /// For messages: never the password.
    pub fn display(&self) -> String {
        format!("redis://{}:{}", self.host, self.port)
    }
}

/// One RESP reply.
#[derive(Debug, PartialEq)]
enum Reply {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

/// Why Redis could not be read; the evidence keeps it as one line.
#[derive(Debug, thiserror::Error)]
enum RedisError {
    #[error("cannot connect to {target}")]
    Connect {
        target: String,
        source: std::io::Error,
    },
    #[error("write failed")]
    Write(#[source] std::io::Error),
    #[error("read failed")]
    Read(#[source] std::io::Error),
    #[error("connection closed by Redis")]
    Closed,
    #[error("bad {what} `{text}`")]
    Malformed { what: &'static str, text: String },
    #[error("reply of {0} bytes is too large")]
    TooLarge(usize),
    #[error("reply line longer than 64 KiB")]
    LineTooLong,
    #[error("reply nests arrays more than {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("not a Redis reply: `{0}`")]
    NotAReply(String),
    #[error("{command}: {message}")]
    Refused {
        command: &'static str,
        message: String,
    },
    #[error("{command}: unexpected reply {reply}")]
    Unexpected {
        command: &'static str,
        reply: String,
    },
}

struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    async fn command(&mut self, args: &[&str]) -> Result<Reply, RedisError> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        self.stream
            .get_mut()
            .write_all(&out)
            .await
            .map_err(RedisError::Write)?;
        read_reply(&mut self.stream).await
    }
}

/// Reads one line of a reply, without its CRLF: at most `MAX_LINE` bytes, and text (a server
/// may send anything).
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<String, RedisError> {
    let mut line = Vec::new();
    // One byte more than the cap tells a line at the cap from a longer one.
    let n = (&mut *reader)
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)
        .await
        .map_err(RedisError::Read)?;
    if n == 0 {
        return Err(RedisError::Closed);
    }
    if !line.ends_with(b"\n") {
        return Err(if line.len() > MAX_LINE {
            RedisError::LineTooLong
        } else {
            RedisError::Closed
        });
    }
    let text = String::from_utf8_lossy(&line);
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// Reads one RESP reply; generic over the reader so the parser is tested on fake replies.
async fn read_reply<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<Reply, RedisError> {
    read_nested_reply(reader, 0).await
}

/// `depth`: arrays around this reply, at most `MAX_DEPTH` (each level is a boxed future, and
/// polling them nests as deep as the arrays do).
async fn read_nested_reply<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    depth: usize,
) -> Result<Reply, RedisError> {
    let line = read_line(reader).await?;
    // The type is the first character, which need not be one byte in a hostile reply.
    let mut chars = line.chars();
    let kind = chars.next();
    let rest = chars.as_str();
    match kind {
        Some('+') => Ok(Reply::Simple(rest.into())),
        Some('-') => Ok(Reply::Error(rest.into())),
        Some(':') => rest
            .parse()
            .map(Reply::Integer)
            .map_err(|_| malformed("integer reply", rest)),
        Some('$') => {
            let len: i64 = rest.parse().map_err(|_| malformed("bulk length", rest))?;
            if len < 0 {
                return Ok(Reply::Bulk(None));
            }
            let len = len as usize;
            if len > MAX_BULK {
                return Err(RedisError::TooLarge(len));
            }
            let mut buf = vec![0; len + 2];
            reader
                .read_exact(&mut buf)
                .await
                .map_err(RedisError::Read)?;
            buf.truncate(len);
            Ok(Reply::Bulk(Some(buf)))
        }
        Some('*') => {
            let n: i64 = rest.parse().map_err(|_| malformed("array length", rest))?;
            if depth >= MAX_DEPTH {
                return Err(RedisError::TooDeep);
            }
            let mut items = Vec::new();
            for _ in 0..n.clamp(0, 1024) {
                items.push(Box::pin(read_nested_reply(reader, depth + 1)).await?);
            }
            Ok(Reply::Array(items))
        }
        _ => Err(RedisError::NotAReply(line.chars().take(40).collect())),
    }
}

fn malformed(what: &'static str, text: &str) -> RedisError {
    RedisError::Malformed {
        what,
        text: text.to_string(),
    }
}

fn bulk_text(r: Reply, command: &'static str) -> Result<String, RedisError> {
    match r {
        Reply::Bulk(Some(b)) => Ok(String::from_utf8_lossy(&b).into_owned()),
        Reply::Error(message) => Err(RedisError::Refused { command, message }),
        other => Err(RedisError::Unexpected {
            command,
            reply: format!("{other:?}"),
        }),
    }
}

/// `INFO` text → `field → value`.
pub fn parse_info(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Builds the evidence from INFO fields; pure, so it is tested without a server.
pub fn info_evidence(
    info: &std::collections::BTreeMap<String, String>,
    save_points: Option<bool>,
    observed_at: i64,
) -> RedisInfo {
    let get = |k: &str| info.get(k).map(String::as_str);
    RedisInfo {
        observed_at,
        rdb_last_save_at: get("rdb_last_save_time")
            .and_then(|v| v.parse().ok())
            .filter(|t: &i64| *t > 0),
        rdb_last_bgsave_ok: get("rdb_last_bgsave_status") == Some("ok"),
        rdb_save_points: save_points,
        aof_enabled: get("aof_enabled") == Some("1"),
        role: get("role").unwrap_or("unknown").to_string(),
        connected_replicas: get("connected_slaves")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        master_link_up: get("master_link_status").map(|v| v == "up"),
    }
}

async fn read(target: &RedisTarget, now: i64) -> Result<RedisInfo, RedisError> {
    let stream = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|source| RedisError::Connect {
            target: target.display(),
            source,
        })?;
    let mut conn = Conn {
        stream: BufReader::new(stream),
    };
    if let Some(password) = &target.password {
        let mut args = vec!["AUTH"];
        if let Some(user) = &target.user {
            args.push(user);
        }
        args.push(password);
        match conn.command(&args).await? {
            Reply::Simple(_) => {}
            Reply::Error(message) => {
                return Err(RedisError::Refused {
                    command: "AUTH refused",
                    message,
                })
            }
            other => {
                return Err(RedisError::Unexpected {
                    command: "AUTH",
                    reply: format!("{other:?}"),
                })
            }
        }
    }
    let mut text = bulk_text(
        conn.command(&["INFO", "persistence"]).await?,
        "INFO persistence",
    )?;
    text.push('\n');
    text.push_str(&bulk_text(
        conn.command(&["INFO", "replication"]).await?,
        "INFO replication",
    )?);
    // CONFIG may be renamed or refused by ACLs: then the save points stay unknown.
    let save_points = match conn.command(&["CONFIG", "GET", "save"]).await? {
        Reply::Array(items) => match items.get(1) {
            Some(Reply::Bulk(Some(v))) => Some(!v.iter().all(u8::is_ascii_whitespace)),
            _ => None,
        },
        _ => None,
    };
    let _ = conn.command(&["QUIT"]).await;
    Ok(info_evidence(&parse_info(&text), save_points, now))
}

/// Never fails: an unreachable or misbehaving Redis is evidence too.
pub async fn probe(target: &RedisTarget, now: i64) -> RedisEvidence {
    match tokio::time::timeout(TIMEOUT, read(target, now)).await {
        Ok(Ok(info)) => RedisEvidence::Info(info),
        Ok(Err(e)) => RedisEvidence::Unreachable {
            observed_at: now,
            reason: app::backend::error_chain(&e),
        },
        Err(_) => RedisEvidence::Unreachable {
            observed_at: now,
            reason: format!(
                "{} did not answer within {} s",
                target.display(),
                TIMEOUT.as_secs()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = RedisTarget::parse("redis://:s3cret@10.0.0.1:6380/0").unwrap();
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.user.as_deref(),
                t.password.as_deref()
            ),
            ("10.0.0.1", 6380, None, Some("s3cret"))
        );
        assert!(!format!("{t:?}").contains("s3cret"));
        let t = RedisTarget::parse("redis://app:pw@redis").unwrap();
        assert_eq!((t.port, t.user.as_deref()), (6379, Some("app")));
        assert!(RedisTarget::parse("rediss://x").is_err());
        assert!(RedisTarget::parse("redis://:pw@").is_err());
        assert!(RedisTarget::parse("redis://h:99999").is_err());
    }

    /// Parses `bytes` as one reply, the way the probe reads Redis.
    fn reply(bytes: &[u8]) -> Result<Reply, RedisError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a test runtime");
        runtime.block_on(read_reply(&mut &bytes[..]))
    }

    #[test]
    fn replies_from_a_fake_server() {
        assert_eq!(reply(b"+OK\r\n").unwrap(), Reply::Simple("OK".into()));
        assert_eq!(
            reply(b"-ERR nope\r\n").unwrap(),
            Reply::Error("ERR nope".into())
        );
        assert_eq!(reply(b":42\r\n").unwrap(), Reply::Integer(42));
        assert_eq!(
            reply(b"$3\r\nabc\r\n").unwrap(),
            Reply::Bulk(Some(b"abc".to_vec()))
        );
        assert_eq!(
            reply(b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n").unwrap(),
            Reply::Array(vec![
                Reply::Bulk(Some(b"save".to_vec())),
                Reply::Bulk(Some(Vec::new()))
            ])
        );
        assert!(matches!(reply(b""), Err(RedisError::Closed)));
    }

    /// Whatever a server (or something pretending to be one) sends is an error, never a panic.
    #[test]
    fn hostile_replies_are_errors() {
        // A first character of two, three and four bytes.
        for line in ["é\r\n", "€OK\r\n", "😀\r\n"] {
            let e = reply(line.as_bytes()).unwrap_err();
            assert!(matches!(e, RedisError::NotAReply(_)), "{e:?}");
            assert!(e.to_string().contains(line.trim_end()), "{e}");
        }
        assert!(reply(b"\xff\xfe\r\n").is_err());
        let long = format!("+{}\r\n", "a".repeat(MAX_LINE + 1));
        let e = reply(long.as_bytes()).unwrap_err();
        assert!(matches!(e, RedisError::LineTooLong), "{e:?}");
        assert!(e.to_string().contains("64 KiB"), "{e}");
        assert!(reply(b"+almost\r").is_err());
        // Arrays nested deeper than any reply the probe asks for.
        let nested = "*1\r\n".repeat(100_000);
        let e = reply(nested.as_bytes()).unwrap_err();
        assert!(matches!(e, RedisError::TooDeep), "{e:?}");
    }

    #[test]
    fn info_fields() {
        let text = "# Persistence\r\nrdb_last_save_time:1700000000\r\nrdb_last_bgsave_status:err\r\naof_enabled:0\r\n# Replication\r\nrole:slave\r\nmaster_link_status:down\r\n";
        let e = info_evidence(&parse_info(text), Some(false), 5);
        assert_eq!(e.rdb_last_save_at, Some(1_700_000_000));
        assert!(!e.rdb_last_bgsave_ok && !e.aof_enabled && !e.persistent());
        assert_eq!((e.role.as_str(), e.master_link_up), ("slave", Some(false)));
    }
}
