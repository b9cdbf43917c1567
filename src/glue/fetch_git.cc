// glue/fetch_git.cc: builtins.fetchGit / fetchTree { type = "git"; } by running the `git`
// binary. A clean revision is exported with `git archive` and unpacked (so the tree is exactly
// the commit's); a local work tree with uncommitted changes to tracked files is copied file by
// file (tracked files only), as Nix does.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <vector>

#include "glue/fetch.h"
#include "store/store.h"
#include "sys/file.h"
#include "sys/process.h"
#include "util/error.h"

namespace nixpp {

namespace {

enum class Stderr { inherit, discard };

// Runs git with `args`; returns its exit status and standard output.
std::pair<int, std::string> runGit(const std::vector<std::string>& args, Stderr err = Stderr::inherit) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  Pipe out = Pipe::create();
  ChildProcess child = startProcess([&] {
    if (dup2(out.writeSide.get(), 1) < 0) _exit(1);
    if (err == Stderr::discard) {
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 2);
    }
    execvp("git", cargv.data());
    _exit(127);
  });
  out.writeSide = AutoCloseFd();
  std::string output;
  char buf[65536];
  for (;;) {
    ssize_t n = read(out.readSide.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SysError(errno, "reading the output of git");
    if (n == 0) break;
    output.append(buf, size_t(n));
  }
  return {child.wait(), output};
}

// Runs git and returns its output; throws Error "program 'git' failed with exit code N".
std::string git(const std::vector<std::string>& args) {
  auto [status, out] = runGit(args);
  if (!statusOk(status)) throw Error("program 'git' " + statusToString(status));
  return out;
}

std::string chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void mkdirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') {
      std::string p = path.substr(0, i);
      if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) throw SysError(errno, "creating directory '" + p + "'");
    }
}

// Copies the tracked files of the work tree `dir` into `dest`.
void copyTrackedFiles(const std::string& dir, const std::string& dest) {
  std::string list = git({"-C", dir, "ls-files", "-z"});
  mkdirs(dest);
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find('\0', start);
    if (end == std::string::npos) end = list.size();
    std::string rel = list.substr(start, end - start);
    start = end + 1;
    std::string src = dir + "/" + rel, dst = dest + "/" + rel;
    struct stat st;
    if (lstat(src.c_str(), &st) != 0) continue;  // deleted in the work tree
    auto slash = dst.rfind('/');
    mkdirs(dst.substr(0, slash));
    if (S_ISLNK(st.st_mode)) {
      std::string target(size_t(st.st_size) + 1, '\0');
      ssize_t n = readlink(src.c_str(), target.data(), target.size());
      if (n < 0) throw SysError(errno, "reading symbolic link '" + src + "'");
      target.resize(size_t(n));
      if (symlink(target.c_str(), dst.c_str()) != 0) throw SysError(errno, "creating symlink '" + dst + "'");
    } else if (S_ISREG(st.st_mode)) {
      AutoCloseFd in = openFile(src, O_RDONLY);
      AutoCloseFd out = openFile(dst, O_WRONLY | O_CREAT | O_EXCL, (st.st_mode & S_IXUSR) ? 0755 : 0644);
      FdSource source(in.get());
      FdSink sink(out.get());
      source.drainInto(sink);
    } else if (S_ISDIR(st.st_mode)) {
      mkdirs(dst);  // a submodule (gitlink): left empty, as without `submodules = true`
    }
  }
}

void addTimes(FetchResult& r, int64_t lastModified) {
  r.attrs.push_back({"lastModified", lastModified, ""});
  r.attrs.push_back({"lastModifiedDate", std::nullopt, formatLastModifiedDate(lastModified)});
}

FetchResult addTree(Store& store, const std::string& path, const std::string& name) {
  StorePath p = store.addPathToStore(path, name, ContentAddressMethod::nar);
  FetchResult r;
  r.storePath = store.storeDir().printPath(p);
  r.narHash = store.queryPathInfo(p).narHash.to_string(HashFormat::sri, true);
  return r;
}

} // namespace

FetchResult fetchGit(Store& store, const FetchRequest& req) {
  if (req.submodules) throw Error("fetching Git submodules is not supported by nixpp yet");
  TempDir tmp("nixpp-git");
  std::string repo;
  bool local = req.url.starts_with("file://") || req.url.starts_with("/");
  if (local) {
    repo = req.url.starts_with("file://") ? req.url.substr(7) : req.url;
    struct stat st;
    if (stat(repo.c_str(), &st) != 0) throw SysError(errno, "getting status of '" + repo + "'");
  } else {
    repo = tmp.path() + "/clone.git";
    git({"clone", "--quiet", "--bare", "--", req.url, repo});
  }

  // A local work tree without rev or ref, with uncommitted changes: copy its tracked files.
  if (local && !req.rev && !req.ref) {
    auto [wt, wtOut] = runGit({"-C", repo, "rev-parse", "--is-inside-work-tree"}, Stderr::discard);
    auto [hs, headOut] = runGit({"-C", repo, "rev-parse", "--verify", "-q", "HEAD"}, Stderr::discard);
    bool haveCommits = statusOk(hs);
    bool dirty = false;
    if (statusOk(wt) && chomp(wtOut) == "true")
      dirty = !haveCommits || !chomp(git({"-C", repo, "status", "--porcelain", "--untracked-files=no"})).empty();
    if (dirty) {
      std::cerr << "warning: Git tree '" << repo << "' is dirty\n";
      std::string top = chomp(git({"-C", repo, "rev-parse", "--show-toplevel"}));
      copyTrackedFiles(top, tmp.path() + "/tree");
      FetchResult r = addTree(store, tmp.path() + "/tree", req.name);
      int64_t lastModified =
          haveCommits ? std::stoll(git({"-C", repo, "log", "-1", "--format=%ct", "--no-show-signature", "HEAD"})) : 0;
      addTimes(r, lastModified);
      if (req.emptyRevFallback) {
        r.attrs.push_back({"rev", std::nullopt, std::string(40, '0')});
        r.attrs.push_back({"revCount", 0, ""});
        r.attrs.push_back({"shortRev", std::nullopt, "0000000"});
      }
      return r;
    }
  }

  std::string rev;
  if (req.rev) {
    rev = *req.rev;
    auto [st, _] = runGit({"-C", repo, "cat-file", "-e", rev + "^{commit}"}, Stderr::discard);
    if (!statusOk(st))
      throw Error("Cannot find Git revision '" + rev + "' in ref '" + req.ref.value_or("HEAD") + "' of repository '" + req.url + "'!");
  } else {
    std::string ref = req.ref.value_or("HEAD");
    auto [st, out] = runGit({"-C", repo, "rev-parse", "--verify", "-q", ref + "^{commit}"}, Stderr::discard);
    if (!statusOk(st)) throw Error("cannot find ref '" + ref + "' in Git repository '" + req.url + "'");
    rev = chomp(out);
  }

  std::string tar = tmp.path() + "/tree.tar", tree = tmp.path() + "/tree";
  git({"-C", repo, "archive", "--format=tar", "-o", tar, rev});
  mkdirs(tree);
  unpackTarball(tar, tree);
  FetchResult r = addTree(store, tree, req.name);
  addTimes(r, std::stoll(git({"-C", repo, "log", "-1", "--format=%ct", "--no-show-signature", rev})));
  r.attrs.push_back({"rev", std::nullopt, rev});
  if (!req.shallow)
    r.attrs.push_back({"revCount", std::stoll(git({"-C", repo, "rev-list", "--count", rev})), ""});
  r.attrs.push_back({"shortRev", std::nullopt, rev.substr(0, 7)});
  return r;
}

} // namespace nixpp
