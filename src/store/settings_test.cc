#include "store/settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sys/file.h"

namespace nixpp {

namespace {

// A host with a fixed environment and in-memory files: no /etc/nix, no real environment.
struct FakeHost {
  std::map<std::string, std::string> env, files;
  SettingsHost host() {
    SettingsHost h;
    h.getEnv = [this](const std::string& n) -> std::optional<std::string> {
      auto it = env.find(n);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    h.readFile = [this](const std::string& p) -> std::optional<std::string> {
      auto it = files.find(p);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
    h.hardwareCores = 6;
    return h;
  }
};

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (Error& e) {
    return e.what();
  }
  return "accepted";
}

} // namespace

TEST(Settings, DefaultsComeFromTheEnvironmentOnly) {
  FakeHost fh;
  fh.files["/etc/nix/nix.conf"] = "cores = 1\n";  // ignored: NIX_CONF_DIR points elsewhere
  fh.env = {{"NIX_STORE_DIR", "/s/store"}, {"NIX_STATE_DIR", "/s/var"}, {"NIX_LOG_DIR", "/s/log"},
            {"NIX_CONF_DIR", "/s/etc"}, {"NIX_REMOTE", "daemon"}, {"NIX_PATH", "nixpkgs=/p:/q"}, {"HOME", "/home/u"}};
  auto s = Settings::load(fh.host());
  EXPECT_EQ(s.storeDir, "/s/store");
  EXPECT_EQ(s.stateDir, "/s/var");
  EXPECT_EQ(s.logDir, "/s/log");
  EXPECT_EQ(s.confDir, "/s/etc");
  EXPECT_EQ(s.store, "daemon");
  EXPECT_EQ(s.nixPath, (StringList{"nixpkgs=/p", "/q"}));
  EXPECT_EQ(s.cores, 6u);
  EXPECT_EQ(s.sandbox, SandboxMode::enabled);
  EXPECT_EQ(*s.get("builders"), "@/s/etc/machines");
  EXPECT_EQ(*s.get("netrc-file"), "/s/etc/netrc");
  EXPECT_TRUE(s.unknown.empty());

  auto d = Settings::load(FakeHost().host());
  EXPECT_EQ(d.storeDir, "/nix/store");
  EXPECT_EQ(d.stateDir, "/nix/var/nix");
  EXPECT_EQ(d.logDir, "/nix/var/log/nix");
  EXPECT_EQ(d.store, "auto");
  EXPECT_EQ(*d.get("substituters"), "https://cache.nixos.org/");
}

// The configuration in tests/data/config, loaded as Nix 2.8 loaded it (see generate.sh there):
// every setting that does not depend on the machine prints as Nix printed it.
TEST(Settings, MatchesNix28ShowConfig) {
  std::string dir = std::string(NIXPP_TEST_DATA) + "/config";
  SettingsHost h = SettingsHost::real();
  auto realEnv = h.getEnv;
  std::map<std::string, std::string> env = {{"NIX_CONF_DIR", dir + "/etc"},
                                            {"NIX_USER_CONF_FILES", dir + "/user/nix.conf"},
                                            {"NIX_CONFIG", readFile(dir + "/NIX_CONFIG")},
                                            {"HOME", "/nonexistent"}};
  h.getEnv = [&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto base = Settings::defaults(h);
  base.pureEval = true;  // as the `nix` command does
  auto s = Settings::load(h, base);

  std::map<std::string, std::string> expected;
  std::istringstream in(readFile(dir + "/show-config.expected"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;  // Nix ends the listing with a blank line
    auto eq = line.find(" = ");
    ASSERT_NE(eq, std::string::npos) << line;
    expected[line.substr(0, eq)] = line.substr(eq + 3);
  }
  // Machine- or installation-dependent values, and names Nix 2.8 does not have.
  for (auto k : {"build-hook", "builders", "netrc-file", "extra-platforms", "system", "system-features"})
    expected.erase(k);
  auto ours = s.all();
  ours.erase("build-dir");
  ours.erase("fsync-store-paths");  // a setting of later Nix versions
  for (auto k : {"build-hook", "builders", "netrc-file", "extra-platforms", "system"}) ours.erase(k);
  // system-features is machine-dependent in its default but we can check what the file added.
  ours.erase("system-features");
  EXPECT_TRUE(s.systemFeatures.count("kvm"));
  for (auto& [k, v] : expected) {
    auto it = ours.find(k);
    if (it == ours.end()) ADD_FAILURE() << "missing setting " << k;
    else EXPECT_EQ(it->second, v) << k;
  }
  for (auto& [k, v] : ours)
    if (!expected.count(k)) ADD_FAILURE() << "setting Nix 2.8 does not have: " << k;

  // And the warnings, in Nix's order.
  std::string warnings;
  for (auto& u : s.unknown) warnings += "warning: unknown setting '" + u + "'\n";
  EXPECT_EQ(warnings, readFile(dir + "/show-config.stderr"));

  // Typed fields see the same values.
  EXPECT_EQ(s.cores, 4u);
  EXPECT_EQ(s.maxJobs, 5u);
  EXPECT_EQ(s.sandbox, SandboxMode::relaxed);
  EXPECT_TRUE(s.keepGoing);
  EXPECT_TRUE(s.keepOutputs);
  EXPECT_FALSE(s.keepDerivations);
  EXPECT_FALSE(s.requireSigs);
  EXPECT_EQ(s.trustedUsers, (StringList{"root", "alice"}));
  EXPECT_EQ(s.sandboxPaths, (StringSet{"/bin/sh=/x/sh", "/etc", "/usr"}));
  EXPECT_EQ(s.minFree, 1000u);
  EXPECT_EQ(s.connectTimeout, 9u);
}

TEST(Settings, SourcesOverrideInNixsOrder) {
  FakeHost fh;
  fh.env = {{"NIX_CONF_DIR", "/etc/nix"}, {"HOME", "/home/u"}, {"XDG_CONFIG_DIRS", "/x1:/x2"}};
  fh.files["/etc/nix/nix.conf"] = "cores = 1\nmax-jobs = 1\ntimeout = 1\nconnect-timeout = 1\n";
  fh.files["/x2/nix/nix.conf"] = "cores = 2\nmax-jobs = 2\ntimeout = 2\n";
  fh.files["/x1/nix/nix.conf"] = "cores = 3\nmax-jobs = 3\n";
  fh.files["/home/u/.config/nix/nix.conf"] = "cores = 4\n";
  auto s = Settings::load(fh.host());
  EXPECT_EQ(s.connectTimeout, 1u);  // only the system file
  EXPECT_EQ(s.timeout, 2u);         // XDG_CONFIG_DIRS' last entry
  EXPECT_EQ(s.maxJobs, 3u);         // ... its first entry wins
  EXPECT_EQ(s.cores, 4u);           // ~/.config wins over XDG_CONFIG_DIRS
  fh.env["NIX_CONFIG"] = "cores = 5\n";
  EXPECT_EQ(Settings::load(fh.host()).cores, 5u);
  fh.env["XDG_CONFIG_HOME"] = "/cfg";  // ~/.config no longer read
  fh.env.erase("NIX_CONFIG");
  EXPECT_EQ(Settings::load(fh.host()).cores, 3u);
  // NIX_USER_CONF_FILES replaces the XDG files; the first one listed wins.
  fh.files["/u1"] = "cores = 11\n";
  fh.files["/u2"] = "cores = 12\nmax-jobs = 12\n";
  fh.env["NIX_USER_CONF_FILES"] = "/u1:/u2";
  auto u = Settings::load(fh.host());
  EXPECT_EQ(u.cores, 11u);
  EXPECT_EQ(u.maxJobs, 12u);
  EXPECT_EQ(u.timeout, 1u);
}

TEST(Settings, SetExtraAliasesAndValues) {
  auto s = Settings::defaults(FakeHost().host());
  EXPECT_TRUE(s.set("substituters", "a b"));
  EXPECT_TRUE(s.set("extra-substituters", "c"));
  EXPECT_TRUE(s.set("extra-binary-caches", "d"));  // extra- of an alias
  EXPECT_EQ(*s.get("substituters"), "a b c d");
  EXPECT_TRUE(s.set("substituters", "z"));
  EXPECT_EQ(s.substituters, StringList{"z"});
  EXPECT_FALSE(s.set("extra-cores", "3"));  // not a list: unknown, as in Nix
  EXPECT_FALSE(s.set("foo", "3"));
  EXPECT_FALSE(s.set("extra-foo", "3"));
  EXPECT_TRUE(s.set("build-max-jobs", "auto"));
  EXPECT_EQ(s.maxJobs, 6u);
  EXPECT_TRUE(s.set("build-use-sandbox", "false"));
  EXPECT_EQ(*s.get("sandbox"), "false");
  EXPECT_TRUE(s.set("extra-ignored-acls", "b.acl"));  // a set kept as text: sorted
  EXPECT_EQ(*s.get("ignored-acls"), "b.acl security.selinux system.nfs4_acl");
  EXPECT_TRUE(s.set("http2", "no"));
  EXPECT_EQ(*s.get("http2"), "false");
  EXPECT_FALSE(s.get("foo"));

  EXPECT_EQ(errorOf([&] { s.set("cores", "x"); }), "setting 'cores' has invalid value 'x'");
  EXPECT_EQ(errorOf([&] { s.set("log-lines", "-1"); }), "setting 'log-lines' has invalid value '-1'");
  EXPECT_EQ(errorOf([&] { s.set("require-sigs", "maybe"); }), "Boolean setting 'require-sigs' has invalid value 'maybe'");
  EXPECT_EQ(errorOf([&] { s.set("sandbox", "sometimes"); }), "option 'sandbox' has invalid value 'sometimes'");
  EXPECT_EQ(errorOf([&] { s.set("max-jobs", "many"); }), "configuration setting 'max-jobs' should be 'auto' or an integer");

  EXPECT_TRUE(Settings::isBoolSetting("keep-going"));
  EXPECT_TRUE(Settings::isBoolSetting("sandbox"));
  EXPECT_FALSE(Settings::isBoolSetting("cores"));
  EXPECT_TRUE(Settings::isListSetting("trusted-public-keys"));
  EXPECT_FALSE(Settings::isListSetting("store"));
  EXPECT_TRUE(Settings::isKnownSetting("narinfo-cache-positive-ttl"));
}

TEST(Settings, ConfigErrorsStopLoading) {
  FakeHost fh;
  fh.files["/etc/nix/nix.conf"] = "cores = x\n";
  EXPECT_EQ(errorOf([&] { Settings::load(fh.host()); }), "setting 'cores' has invalid value 'x'");
  fh.files["/etc/nix/nix.conf"] = "include other.conf\n";
  EXPECT_EQ(errorOf([&] { Settings::load(fh.host()); }),
            "file '/etc/nix/other.conf' included from '/etc/nix/nix.conf' not found");
}

} // namespace nixpp
