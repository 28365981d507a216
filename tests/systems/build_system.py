#!/usr/bin/env python3
"""Builds a configured Debian 12 system from Debian's real packages, as a tar rootfs.

    build_system.py SYSTEM.yaml OUT.tar [--cache DIR]

The packages (and everything they depend on) are downloaded through apt into a cache, and
their data archives are merged into one tree the way dpkg unpacks them on a merged-/usr
system. Maintainer scripts are never run: what their configure step would have done on a
freshly installed system is replayed from what they declare, each step named after the
command it stands for:

  base-passwd      /etc/passwd and /etc/group from base-passwd's master files, /etc/shadow
                   with every account locked (as debootstrap leaves them)
  adduser/useradd  the `--system` accounts postinst scripts create, read from those scripts
  systemd-sysusers the accounts in sysusers.d files
  deb-systemd-helper enable / systemctl enable
                   the unit's [Install] WantedBy=/RequiredBy=/Alias= symlinks in /etc
  update-rc.d X defaults
                   rcN.d links from the init script's LSB Default-Start/Default-Stop
  update-inetd --add
                   the inetd.conf line the postinst adds (disabled ones stay commented out)
  ucf / cp         configuration files postinst installs from /usr/share (listed per system)
  ssh-keygen -A    OpenSSH's host keys, generated here by the same tool (dropbear's postinst
                   would convert them; its keys are left out, as is any key the host lacks a
                   tool for)
  dpkg             /var/lib/dpkg/status and info/*.list for every package unpacked

Ownership and modes come from the packages, never from the user building the tree, so the
result is the same whoever runs it. The output is deterministic for a given set of package
versions except for the host keys.
"""

import argparse
import hashlib
import io
import os
import re
import shlex
import subprocess
import sys
import tarfile
import tempfile

import yaml

MERGED = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64",
          "lib32": "usr/lib32", "libx32": "usr/libx32"}
EPOCH = 1700000000  # mtime of every file the replay writes (2023-11-14)


class Tree:
    """The merged filesystem: path (no leading slash) -> (TarInfo, bytes or None)."""

    def __init__(self):
        self.entries = {}

    @staticmethod
    def norm(path):
        while path.startswith("./"):
            path = path[2:]
        path = path.lstrip("/")
        head, _, rest = path.partition("/")
        if head in MERGED:
            path = MERGED[head] + ("/" + rest if rest else "")
        return path.rstrip("/")

    def add_member(self, info, data):
        path = self.norm(info.name)
        if not path:
            return None
        info.name = path
        if info.islnk():
            info.linkname = self.norm(info.linkname)
        existing = self.entries.get(path)
        if info.isdir() and existing is not None:
            return path  # dpkg keeps the first directory's metadata
        self.entries[path] = (info, data)
        return path

    def read(self, path):
        entry = self.entries.get(self.norm(path))
        if entry is None:
            return None
        info, data = entry
        if info.issym():
            target = info.linkname if info.linkname.startswith("/") else \
                os.path.join(os.path.dirname("/" + info.name), info.linkname)
            return self.read(os.path.normpath(target))
        return data

    def exists(self, path):
        return self.norm(path) in self.entries

    def ensure_dir(self, path, mode=0o755):
        path = self.norm(path)
        if not path or path in self.entries:
            return
        self.ensure_dir(os.path.dirname(path))
        info = tarfile.TarInfo(path)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, EPOCH
        self.entries[path] = (info, None)

    def write(self, path, data, mode=0o644, uid=0, gid=0):
        path = self.norm(path)
        self.ensure_dir(os.path.dirname(path))
        info = tarfile.TarInfo(path)
        info.mode, info.mtime, info.uid, info.gid = mode, EPOCH, uid, gid
        info.uname = info.gname = "root" if uid == 0 else ""
        info.size = len(data)
        self.entries[path] = (info, data)

    def symlink(self, path, target, raw=False):
        path = path.lstrip("/") if raw else self.norm(path)
        self.ensure_dir(os.path.dirname(path))
        info = tarfile.TarInfo(path)
        info.type, info.linkname, info.mode, info.mtime = tarfile.SYMTYPE, target, 0o777, EPOCH
        self.entries[path] = (info, None)

    def save(self, out):
        with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
            for path in sorted(self.entries):
                info, data = self.entries[path]
                tar.addfile(info, io.BytesIO(data) if data is not None else None)


def download(packages, cache):
    """Downloads the packages and their whole dependency closure into `cache`; returns the
    paths of exactly the .deb files of that closure (the cache may hold others)."""
    os.makedirs(os.path.join(cache, "partial"), exist_ok=True)
    status = os.path.join(cache, "empty-status")
    open(status, "w").close()
    opts = ["-q", "-o", "Dir::State::status=" + status, "-o", "Dir::Cache::archives=" + cache,
            "-o", "Debug::NoLocking=1", "-o", "APT::Install-Recommends=false",
            "-o", "APT::Install-Suggests=false"]
    subprocess.run(["apt-get", "install", "--download-only", "-y"] + opts + packages, check=True,
                   stdout=subprocess.DEVNULL)
    # The closure as apt resolves it: "Inst NAME (VERSION ORIGIN [ARCH])" lines of a simulation.
    sim = subprocess.run(["apt-get", "install", "-s"] + opts + packages, check=True, capture_output=True,
                         text=True).stdout
    debs = []
    for m in re.finditer(r"^Inst (\S+) \((\S+) .*\[(\S+)\]\)", sim, re.M):
        name, version, arch = m.groups()
        path = os.path.join(cache, "%s_%s_%s.deb" % (name, version.replace(":", "%3a"), arch))
        if not os.path.exists(path):
            sys.exit("%s: not downloaded (%s %s)" % (path, name, version))
        debs.append(path)
    if not debs:
        sys.exit("apt resolved no package for " + " ".join(packages))
    return sorted(debs)


def unpack(tree, deb, status, lists):
    control = subprocess.run(["dpkg-deb", "-f", deb], check=True, capture_output=True,
                             text=True).stdout
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", control, re.M))
    name = fields["Package"]
    with tempfile.TemporaryDirectory() as ctl:
        subprocess.run(["dpkg-deb", "-e", deb, ctl], check=True)
        scripts = {f: open(os.path.join(ctl, f), errors="replace").read()
                   for f in os.listdir(ctl)}
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True,
                          capture_output=True).stdout
    owned = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for info in tar:
            content = tar.extractfile(info).read() if info.isreg() else None
            path = tree.add_member(info, content)
            if path:
                owned.append("/" + path)
    stanza = control.replace("Package: %s\n" % name,
                             "Package: %s\nStatus: install ok installed\n" % name, 1)
    status.append(stanza.rstrip("\n") + "\n")
    lists[name] = owned
    return name, scripts


class Accounts:
    def __init__(self, tree):
        self.tree = tree
        # update-passwd with shadow passwords on: the hash field moves to /etc/shadow
        self.passwd = [l.split(":") for l in
                       tree.read("/usr/share/base-passwd/passwd.master").decode().splitlines()]
        for p in self.passwd:
            p[1] = "x"
        self.group = [l.split(":") for l in
                      tree.read("/usr/share/base-passwd/group.master").decode().splitlines()]
        self.next_uid = 100

    def gid_of(self, name):
        return next((g[2] for g in self.group if g[0] == name), None)

    def add_group(self, name, gid=None):
        if self.gid_of(name) is None:
            used = {int(g[2]) for g in self.group}
            gid = gid if gid is not None else next(i for i in range(100, 1000) if i not in used)
            self.group.append([name, "x", str(gid), ""])
        return self.gid_of(name)

    def add_user(self, name, home="/nonexistent", shell="/usr/sbin/nologin", gecos="",
                 group="nogroup", own_group=False, uid=None):
        if any(p[0] == name for p in self.passwd):
            return
        used = {int(p[2]) for p in self.passwd}
        if uid is None:
            uid = next(i for i in range(100, 1000) if i not in used)
        gid = self.add_group(name, uid) if own_group else self.gid_of(group) or "65534"
        self.passwd.append([name, "x", str(uid), str(gid), gecos, home, shell])

    def save(self):
        t = self.tree
        t.write("/etc/passwd", "".join(":".join(p) + "\n" for p in self.passwd).encode())
        t.write("/etc/group", "".join(":".join(g) + "\n" for g in self.group).encode())
        t.write("/etc/shadow", "".join("%s:*:19500:0:99999:7:::\n" % p[0]
                                       for p in self.passwd).encode(), 0o640, 0,
                int(self.gid_of("shadow") or 0))
        t.write("/etc/gshadow", "".join("%s:*::\n" % g[0] for g in self.group).encode(),
                0o640, 0, int(self.gid_of("shadow") or 0))


def replay_adduser(accounts, script):
    text = script.replace("\\\n", " ")
    for m in re.finditer(r"\b(adduser|useradd)\s+([^\n;&|]*--system[^\n;&|]*)", text):
        args = m.group(2).split()
        opts, name, i = {}, None, 0
        while i < len(args):
            a = args[i]
            if a in ("--home", "--home-dir", "-d", "--shell", "-s", "--gecos", "--comment",
                     "-c", "--gid", "-g", "--ingroup", "--uid", "-u"):
                opts[a] = args[i + 1].strip("\"'") if i + 1 < len(args) else ""
                i += 2
                continue
            if not a.startswith("-") and not a.startswith("$") and not a.startswith(">"):
                name = a.strip("\"'")
            opts.setdefault("flags", set()).add(a)
            i += 1
        if not name or not re.fullmatch(r"[a-z_][a-z0-9_-]*", name):
            continue
        home = opts.get("--home") or opts.get("--home-dir") or opts.get("-d") or "/nonexistent"
        shell = opts.get("--shell") or opts.get("-s") or "/usr/sbin/nologin"
        group = opts.get("--gid") or opts.get("-g") or opts.get("--ingroup") or "nogroup"
        accounts.add_user(name, home, shell, opts.get("--gecos") or opts.get("--comment") or "",
                          group, "--group" in opts.get("flags", set()))


def replay_sysusers(accounts, tree):
    for d in ("usr/lib/sysusers.d",):
        for path in sorted(p for p in tree.entries if p.startswith(d + "/") and p.endswith(".conf")):
            for line in tree.read(path).decode().splitlines():
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                f = shlex.split(line)
                if len(f) < 2:
                    continue
                ident = f[2] if len(f) > 2 else "-"
                if f[0] == "g":
                    accounts.add_group(f[1], int(ident) if ident.isdigit() else None)
                elif f[0] == "u":
                    uid = int(ident.split(":")[0]) if ident.split(":")[0].isdigit() else None
                    gecos = f[3] if len(f) > 3 and f[3] != "-" else ""
                    home = f[4] if len(f) > 4 and f[4] != "-" else "/"
                    shell = f[5] if len(f) > 5 and f[5] != "-" else "/usr/sbin/nologin"
                    accounts.add_user(f[1], home, shell, gecos, own_group=True, uid=uid)


def unit_path(tree, unit):
    for d in ("/etc/systemd/system", "/usr/lib/systemd/system"):
        if tree.exists(d + "/" + unit):
            return d + "/" + unit
    template = re.sub(r"@[^.]+\.", "@.", unit)
    if template != unit:
        return unit_path(tree, template)
    return None


def replay_enable(tree, unit, seen=None):
    seen = seen if seen is not None else set()
    if unit in seen:
        return
    seen.add(unit)
    path = unit_path(tree, unit)
    if path is None:
        return
    text = tree.read(path).decode(errors="replace")
    section = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
            continue
        if section != "[Install]" or "=" not in line:
            continue
        key, value = (s.strip() for s in line.split("=", 1))
        for word in value.split():
            if key in ("WantedBy", "RequiredBy"):
                suffix = ".wants" if key == "WantedBy" else ".requires"
                tree.symlink("/etc/systemd/system/%s%s/%s" % (word, suffix, unit), path)
            elif key == "Alias":
                tree.symlink("/etc/systemd/system/" + word, path)
            elif key == "Also":
                replay_enable(tree, word, seen)


def replay_update_rc(tree, name):
    script = tree.read("/etc/init.d/" + name)
    if script is None:
        return
    text = script.decode(errors="replace")
    start = re.search(r"^#\s*Default-Start:\s*(.*)$", text, re.M)
    stop = re.search(r"^#\s*Default-Stop:\s*(.*)$", text, re.M)
    for level in (start.group(1).split() if start else []):
        tree.symlink("/etc/rc%s.d/S01%s" % (level, name), "../init.d/" + name)
    for level in (stop.group(1).split() if stop else []):
        tree.symlink("/etc/rc%s.d/K01%s" % (level, name), "../init.d/" + name)


def replay_scripts(tree, scripts_by_package):
    inetd_lines = []
    for name in sorted(scripts_by_package):
        post = scripts_by_package[name].get("postinst", "")
        for m in re.finditer(r"deb-systemd-helper enable '([^']+)'", post):
            # dh_installsystemd's blocks under `debian-installed` run on upgrades only
            before = post[max(0, post.rfind("\nif ", 0, m.start()) - 200):m.start()]
            if "debian-installed '%s'" % m.group(1) in before:
                continue
            replay_enable(tree, m.group(1))
        for unit in re.findall(r"systemctl \$\{DPKG_ROOT:\+--root=\"\$DPKG_ROOT\"\} enable (\S+)", post):
            replay_enable(tree, unit)
        for script in re.findall(r"update-rc\.d (\S+) defaults", post):
            replay_update_rc(tree, script)
        for line in re.findall(r"update-inetd [^\n]*\n?\s*--add \"([^\"]+)\"", post):
            inetd_lines.append(line.replace("\\t", "\t"))
    if inetd_lines:
        base = (tree.read("/etc/inetd.conf") or b"").decode()
        tree.write("/etc/inetd.conf", (base + "".join(l + "\n" for l in inetd_lines)).encode())


def update_ca_certificates(tree):
    """update-ca-certificates: /etc/ca-certificates.conf naming every certificate of
    /usr/share/ca-certificates, the bundle /etc/ssl/certs/ca-certificates.crt and one link per
    certificate in /etc/ssl/certs (the hashed links need openssl's subject hash: left out)."""
    certs = sorted(p for p in tree.entries if p.startswith("usr/share/ca-certificates/") and p.endswith(".crt"))
    names = [p[len("usr/share/ca-certificates/"):] for p in certs]
    tree.write("/etc/ca-certificates.conf", ("".join(n + "\n" for n in names)).encode())
    bundle = b""
    for p, n in zip(certs, names):
        data = tree.read("/" + p)
        bundle += data if data.endswith(b"\n") else data + b"\n"
        tree.symlink("/etc/ssl/certs/" + os.path.basename(n).replace(".crt", ".pem"), "/" + p)
    tree.write("/etc/ssl/certs/ca-certificates.crt", bundle)


def host_keys(tree):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(d + "/etc/ssh")
        subprocess.run(["ssh-keygen", "-A", "-f", d], check=True, stdout=subprocess.DEVNULL)
        for f in sorted(os.listdir(d + "/etc/ssh")):
            data = open(d + "/etc/ssh/" + f, "rb").read()
            tree.write("/etc/ssh/" + f, data, 0o644 if f.endswith(".pub") else 0o600)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("system")
    ap.add_argument("out")
    ap.add_argument("--cache", default=None)
    ap.add_argument("--reuse", action="store_true",
                    help="keep OUT when it was built from this very spec and builder")
    args = ap.parse_args()
    spec = yaml.safe_load(open(args.system))
    stamp = args.out + ".stamp"
    digest = hashlib.sha256(open(args.system, "rb").read() + open(__file__, "rb").read()).hexdigest()
    if args.reuse and os.path.exists(args.out) and os.path.exists(stamp) and open(stamp).read() == digest:
        print("%s: up to date" % args.out)
        return 0
    cache = args.cache or os.path.join(os.path.dirname(os.path.abspath(args.out)), "debs-" + spec["name"])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    debs = download(spec["packages"], cache)

    tree = Tree()
    for top, target in MERGED.items():
        if top in ("lib32", "libx32"):
            continue
        tree.ensure_dir(target)
        tree.symlink(top, target, raw=True)
    status, lists, scripts = [], {}, {}
    for deb in debs:
        name, s = unpack(tree, deb, status, lists)
        scripts[name] = s

    accounts = Accounts(tree)
    for name in sorted(scripts):
        for kind in ("preinst", "postinst"):
            replay_adduser(accounts, scripts[name].get(kind, ""))
    replay_sysusers(accounts, tree)
    accounts.save()
    replay_scripts(tree, scripts)
    for step in spec.get("configure", []):
        if "copy" in step:
            src, dst = step["copy"]
            tree.write(dst, tree.read(src), int(step.get("mode", "644"), 8))
        elif "symlink" in step:
            tree.symlink(*step["symlink"])
        elif "ca-bundle" in step:
            update_ca_certificates(tree)
        elif "write" in step:
            tree.write(step["write"], step["content"].encode(), int(step.get("mode", "644"), 8))
    host_keys(tree)

    tree.write("/var/lib/dpkg/status", "\n".join(status).encode())
    for name, owned in lists.items():
        tree.write("/var/lib/dpkg/info/%s.list" % name, "".join(p + "\n" for p in owned).encode())
    tree.save(args.out + ".part")
    os.replace(args.out + ".part", args.out)
    with open(stamp, "w") as f:
        f.write(digest)
    print("%s: %d packages, %d entries" % (args.out, len(lists), len(tree.entries)))


if __name__ == "__main__":
    sys.exit(main())
