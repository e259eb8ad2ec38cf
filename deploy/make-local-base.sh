#!/usr/bin/env bash
# Makes a Debian base image without pulling from any container registry, for machines that can
# reach Debian's package mirror but no image registry: debootstrap a minimal bookworm and commit
# it with buildah. Needs root, debootstrap and buildah (apt-get install -y debootstrap buildah).
#
#   deploy/make-local-base.sh [IMAGE]      # default localhost/fc-debian:bookworm-minbase
#
# Then build the runtime stage on it (see server/tests/it/deploy_manifests.rs, the buildah test):
#   FC_BUILDAH_RUNTIME_IMAGE=localhost/fc-debian:bookworm-minbase \
#     cargo test -p server --test it deploy_manifests::buildah
#
# buildah here needs `--storage-driver vfs` and `--isolation chroot` for RUN steps: the default
# OCI isolation (crun) fails with "cgroups in hybrid mode not supported, drop all controllers
# from cgroupv2" on a host with hybrid cgroups.
set -euo pipefail
image=${1:-localhost/fc-debian:bookworm-minbase}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror"
ctr=$(buildah --storage-driver vfs from scratch)
buildah --storage-driver vfs copy "$ctr" "$rootfs" / >/dev/null
buildah --storage-driver vfs commit --rm "$ctr" "$image"
echo "made $image"
