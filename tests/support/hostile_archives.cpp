#include "support/hostile_archives.hpp"

#include <fmt/format.h>

#include "support/test_util.hpp"

namespace fwcert::test {

std::string python_tar(const std::string& out, const std::string& body, const std::string& mode) {
  std::string script = fmt::format(
      "import tarfile, io\n"
      "t = tarfile.open({}, '{}', format=tarfile.PAX_FORMAT)\n"
      "def f(name, data=b'', **kw):\n"
      "    i = tarfile.TarInfo(name); i.size = len(data)\n"
      "    for k, v in kw.items(): setattr(i, k, v)\n"
      "    t.addfile(i, io.BytesIO(data))\n"
      "def l(name, target, kind=tarfile.SYMTYPE):\n"
      "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = target; t.addfile(i)\n"
      "def dr(name, **kw):\n"
      "    i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = 0o755\n"
      "    for k, v in kw.items(): setattr(i, k, v)\n"
      "    t.addfile(i)\n"
      "{}\n"
      "t.close()\n",
      "r'" + out + "'", mode, body);
  write_file(out + ".py", script);
  auto r = run("python3 " + shell_quote(out + ".py"));
  return r.exit_code == 0 ? "" : r.output;
}

std::string zero_tar_command(int members, std::uint64_t member_bytes) {
  std::string script = fmt::format(
      "import io, sys, tarfile\n"
      "class Zeros(io.RawIOBase):\n"
      "    def __init__(self, n): self.n = n\n"
      "    def readable(self): return True\n"
      "    def readinto(self, b):\n"
      "        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k\n"
      "t = tarfile.open(fileobj=sys.stdout.buffer, mode='w|', format=tarfile.GNU_FORMAT, bufsize=1 << 20)\n"
      "t.copybufsize = 1 << 20\n"
      "for k in range({}):\n"
      "    i = tarfile.TarInfo('zero%d' % k); i.size = {}\n"
      "    t.addfile(i, io.BufferedReader(Zeros(i.size), 1 << 20))\n"
      "t.close()\n",
      members, member_bytes);
  return "python3 -c " + shell_quote(script);
}

std::string binary_cpio_member(const std::string& name, const std::string& data) {
  const std::string stored = name + '\0';
  // magic, dev, ino, mode, uid, gid, nlink, rdev, mtime (2), namesize, filesize (2): 16-bit
  // little-endian words, the 32-bit ones high word first.
  std::string out;
  auto word = [&out](std::uint64_t w) {
    out += static_cast<char>(w & 0xff);
    out += static_cast<char>((w >> 8) & 0xff);
  };
  for (std::uint64_t w : {070707, 0, 1, 0100644, 0, 0, 1, 0, 0, 0}) word(w);
  word(stored.size());
  word(data.size() >> 16);
  word(data.size());
  out += stored;
  if (out.size() % 2) out += '\0';
  out += data;
  if (out.size() % 2) out += '\0';
  return out;
}

std::string newc_cpio_member(const std::string& name, const std::string& data) {
  const std::string stored = name + '\0';
  // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
  // namesize, check: eight hex digits each.
  std::string out = fmt::format("070701{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}",
                                1, 0100644, 0, 0, 1, 0, data.size(), 0, 0, 0, 0, stored.size(), 0);
  out += stored;
  out.append((4 - out.size() % 4) % 4, '\0');
  out += data;
  out.append((4 - out.size() % 4) % 4, '\0');
  return out;
}

}  // namespace fwcert::test
