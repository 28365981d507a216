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

}  // namespace fwcert::test
