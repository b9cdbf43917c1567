#include "expr/restricted_io.h"

#include "expr/parser.h"

namespace nixpp {

namespace {

// Whether `path` is `dir` or below it (both canonical).
bool isDirOrInDir(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

constexpr std::string_view corepkgsPrefix = "/__corepkgs__/";

} // namespace

RestrictedEvalIo::RestrictedEvalIo(EvalIo& inner, bool pure, bool checkUris, std::vector<std::string> allowedUris)
    : inner_(inner), pure_(pure), checkUris_(checkUris), allowedUris_(std::move(allowedUris)) {}

void RestrictedEvalIo::allowPath(const std::string& path) {
  allowedPaths_.insert(canonPath(path));
  std::string real = inner_.toRealPath(path);
  if (real != path) allowedPaths_.insert(canonPath(real));
}

bool RestrictedEvalIo::allowed(const std::string& path) const {
  // A handful of roots (search path entries, fetched and copied paths): a scan is enough.
  for (auto& dir : allowedPaths_)
    if (isDirOrInDir(path, dir)) return true;
  return false;
}

std::string RestrictedEvalIo::resolveSymlinks(const std::string& path) {
  std::string todo = path, done;
  for (int follows = 0;;) {
    // `done` is resolved; `todo` is what remains, relative to it.
    size_t start = 0;
    while (start < todo.size() && todo[start] == '/') ++start;
    if (start >= todo.size()) return done.empty() ? "/" : done;
    size_t end = todo.find('/', start);
    std::string comp = todo.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string rest = end == std::string::npos ? "" : todo.substr(end);
    std::string next = done + "/" + comp;
    bool isLink = false;
    try {
      isLink = inner_.pathExists(next) && inner_.fileType(next) == FileType::Symlink;
    } catch (Error&) {
      isLink = false;  // not there: kept as written, as Nix's canonPath does
    }
    if (!isLink) {
      done = next;
      todo = rest;
      continue;
    }
    if (++follows > 1024) throw Error("infinite symlink recursion in path '" + path + "'");
    std::string target = inner_.readLink(next);
    todo = canonPath((target.starts_with("/") ? target : (done.empty() ? "/" : done) + "/" + target) + rest);
    done.clear();
  }
}

std::string RestrictedEvalIo::checkSourcePath(const std::string& path0) {
  if (auto i = resolved_.find(path0); i != resolved_.end()) return i->second;
  // First the path as written (so that "/allowed/../../etc" is judged as "/etc"), then with its
  // symlinks resolved, so that a link in an allowed directory cannot lead out of it.
  std::string path = canonPath(path0);
  if (path.starts_with(corepkgsPrefix)) return path;
  if (!allowed(path))
    throw RestrictedPathError("access to absolute path '" + path + "' is forbidden " +
                              (pure_ ? "in pure evaluation mode (use '--impure' to override)" : "in restricted mode"));
  std::string real = resolveSymlinks(path);
  if (!allowed(real)) throw RestrictedPathError("access to canonical path '" + real + "' is forbidden in restricted mode");
  resolved_.emplace(path0, path);
  return path;
}

void RestrictedEvalIo::checkUri(const std::string& uri) {
  if (!checkUris_) return;
  for (auto& prefix : allowedUris_)
    if (uri == prefix || (uri.size() > prefix.size() && !prefix.empty() && uri.starts_with(prefix) &&
                          (prefix.back() == '/' || uri[prefix.size()] == '/')))
      return;
  if (uri.starts_with("/")) {
    checkSourcePath(uri);
    return;
  }
  if (uri.starts_with("file://")) {
    checkSourcePath(uri.substr(7));
    return;
  }
  throw RestrictedPathError("access to URI '" + uri + "' is forbidden in restricted mode");
}

std::string RestrictedEvalIo::readFile(const std::string& path) { return inner_.readFile(checkSourcePath(path)); }

bool RestrictedEvalIo::pathExists(const std::string& path) {
  // "x/." (a directory test) is checked as "x", which canonPath makes of it anyway.
  checkSourcePath(path);
  return inner_.pathExists(path);
}

EvalIo::FileType RestrictedEvalIo::fileType(const std::string& path) {
  checkSourcePath(path);
  return inner_.fileType(path);
}

std::vector<EvalIo::DirEntry> RestrictedEvalIo::readDirectory(const std::string& path) {
  return inner_.readDirectory(checkSourcePath(path));
}

std::string RestrictedEvalIo::readLink(const std::string& path) {
  checkSourcePath(path);
  return inner_.readLink(path);
}

std::string RestrictedEvalIo::copyPathToStore(const std::string& path, std::string_view name, bool recursive,
                                              const PathFilter* filter) {
  std::string dst = inner_.copyPathToStore(checkSourcePath(path), name, recursive, filter);
  allowPath(dst);
  return dst;
}

FetchResult RestrictedEvalIo::fetch(const FetchRequest& req) {
  // Nix checks the URLs of fetchurl, fetchTarball and fetchGit, and fetchTree's `url`; a `path`
  // input is not checked (Nix 2.8's fetchTree { type = "path"; }).
  if (req.type != FetchRequest::Type::path) checkUri(req.url);
  FetchResult r = inner_.fetch(req);
  allowPath(r.storePath);
  return r;
}

} // namespace nixpp
