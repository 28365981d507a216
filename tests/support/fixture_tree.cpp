#include "support/fixture_tree.hpp"

#include "support/test_util.hpp"

namespace fwcert::test {

std::ostream& operator<<(std::ostream& os, const Node& n) {
  return os << n.type << " " << n.uid << ":" << n.gid << " " << std::oct << n.mode << std::dec << " link=" << n.link
            << " dev=" << n.major << "," << n.minor << " cap=" << n.capability;
}

Tree expected_tree() {
  return {
      {"/bin", {"directory", 0, 0, 0755}},
      {"/bin/busybox", {"file", 0, 0, 0755}},
      {"/bin/busybox-hard", {"file", 0, 0, 0755}},
      {"/bin/ping", {"file", 0, 0, 0755, "", 0, 0, "cap_net_raw=ep"}},
      {"/bin/sh", {"symlink", 0, 0, 0777, "/bin/busybox"}},
      {"/bin/su", {"file", 0, 0, 04755}},
      {"/dev", {"directory", 0, 0, 0755}},
      {"/dev/console", {"char-device", 0, 5, 0600, "", 5, 1}},
      {"/etc", {"directory", 0, 0, 0755}},
      {"/etc/passwd", {"file", 0, 0, 0644}},
      {"/etc/shadow", {"file", 0, 42, 0600}},
      {"/home", {"directory", 0, 0, 0755}},
      {"/home/user", {"directory", 1000, 1000, 0750}},
      {"/home/user/notes", {"file", 1000, 1000, 0644}},
      {"/sbin", {"directory", 0, 0, 0755}},
      {"/sbin/init", {"symlink", 0, 0, 0777, "../bin/busybox"}},
      {"/tmp", {"directory", 0, 0, 01777}},
      {"/usr", {"directory", 0, 0, 0755}},
      {"/usr/bin", {"directory", 0, 0, 0755}},
      {"/usr/bin/wall", {"file", 0, 5, 02755}},
      {"/var", {"directory", 0, 0, 0755}},
      {"/var/www", {"directory", 33, 33, 0755}},
      {"/var/www/index.html", {"file", 33, 33, 0644}},
  };
}

const std::set<std::set<std::string>>& fixture_hard_links() {
  static const std::set<std::set<std::string>> links = {{"/bin/busybox", "/bin/busybox-hard"}};
  return links;
}

std::string build_tree(const std::string& root) {
  write_file(root + "/bin/busybox",
             "\x7f"
             "ELF fake busybox\n");
  write_file(root + "/bin/ping", "ping\n");
  write_file(root + "/bin/su", "su\n");
  write_file(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  write_file(root + "/etc/shadow", "root:*:19000:0:99999:7:::\n");
  write_file(root + "/home/user/notes", "notes\n");
  write_file(root + "/usr/bin/wall", "wall\n");
  write_file(root + "/var/www/index.html", "<html></html>\n");
  std::string q = shell_quote(root);
  std::string script = "set -e; cd " + q +
                       "; mkdir -p dev tmp sbin"
                       "; ln bin/busybox bin/busybox-hard; ln -s /bin/busybox bin/sh; ln -s ../bin/busybox sbin/init"
                       "; mknod dev/console c 5 1"
                       "; chmod 0755 bin bin/busybox bin/ping dev etc home sbin usr usr/bin var var/www"
                       "; chmod 4755 bin/su; chmod 2755 usr/bin/wall; chmod 1777 tmp; chmod 0600 etc/shadow dev/console"
                       "; chmod 0644 etc/passwd home/user/notes var/www/index.html; chmod 0750 home/user"
                       "; chown 0:0 -R .; chown 0:42 etc/shadow; chown 0:5 dev/console usr/bin/wall"
                       "; chown -R 1000:1000 home/user; chown -R 33:33 var/www"
                       // chmod after chown: chown clears setuid/setgid bits.
                       "; chmod 4755 bin/su; chmod 2755 usr/bin/wall"
                       "; setcap cap_net_raw+ep bin/ping";
  auto r = run(script);
  return r.exit_code == 0 ? "" : r.output;
}

Tree expected_for(const Limits& l) {
  Tree t = expected_tree();
  for (auto it = t.begin(); it != t.end();) {
    Node& n = it->second;
    if (!l.devices && (n.type == "char-device" || n.type == "block-device")) {
      it = t.erase(it);
      continue;
    }
    if (!l.owners) n.uid = n.gid = 0;
    if (!l.xattrs) n.capability.clear();
    ++it;
  }
  return t;
}

}  // namespace fwcert::test
