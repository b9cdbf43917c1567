#include "format/nar_listing.h"

#include "util/strings.h"

#include <vector>

#include "format/nar.h"

namespace nixpp {

namespace {

// Builds the tree from parse events; `stack_` holds the open directories.
class ListingBuilder : public NarVisitor {
public:
  NarEntry root;

  void createDirectory(const std::string& path) override {
    NarEntry& e = add(path);
    e.type = NarEntry::Type::directory;
    stack_.push_back({path, &e});
  }
  void createRegularFile(const std::string& path, bool executable, uint64_t size,
                         uint64_t narOffset) override {
    NarEntry& e = add(path);
    e.type = NarEntry::Type::regular;
    e.executable = executable;
    e.size = size;
    e.narOffset = narOffset;
  }
  void receiveContents(std::string_view) override {}
  void closeFile() override {}
  void createSymlink(const std::string& path, const std::string& target) override {
    NarEntry& e = add(path);
    e.type = NarEntry::Type::symlink;
    e.target = target;
  }

private:
  struct Open {
    std::string path;
    NarEntry* entry;
  };
  std::vector<Open> stack_;

  // The entry for `path`, a child of the innermost open directory that is its parent.
  NarEntry& add(const std::string& path) {
    if (path.empty()) return root;
    auto slash = path.rfind('/');
    std::string_view parent = std::string_view(path).substr(0, slash);
    while (!stack_.empty() && stack_.back().path != parent) stack_.pop_back();
    // The parser only reports children of the directory it is in.
    return stack_.back().entry->entries[path.substr(slash + 1)];
  }
};

void toJson(std::string& out, const NarEntry& e, bool recursive) {
  switch (e.type) {
  case NarEntry::Type::regular:
    out += "{\"type\":\"regular\",\"size\":" + std::to_string(e.size);
    if (e.executable) out += ",\"executable\":true";
    if (e.narOffset) out += ",\"narOffset\":" + std::to_string(e.narOffset);
    out += "}";
    break;
  case NarEntry::Type::symlink:
    out += "{\"type\":\"symlink\",\"target\":";
    appendJsonString(out, e.target);
    out += "}";
    break;
  case NarEntry::Type::directory: {
    out += "{\"type\":\"directory\",\"entries\":{";
    bool first = true;
    for (auto& [name, child] : e.entries) {
      if (!first) out += ",";
      first = false;
      appendJsonString(out, name);
      out += ":";
      if (recursive)
        toJson(out, child, true);
      else
        out += "{}";
    }
    out += "}}";
    break;
  }
  }
}

} // namespace

NarEntry listNar(Source& source) {
  ListingBuilder b;
  parseNar(source, b);
  return std::move(b.root);
}

const NarEntry* findNarEntry(const NarEntry& root, std::string_view path) {
  if (path.empty()) return &root;
  if (path[0] != '/') throw Error("not an absolute path: '" + std::string(path) + "'");
  const NarEntry* cur = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (cur->type != NarEntry::Type::directory) return nullptr;
    ++i;  // the '/'
    size_t next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    auto it = cur->entries.find(std::string(path.substr(i, next - i)));
    if (it == cur->entries.end()) return nullptr;
    cur = &it->second;
    i = next;
  }
  return cur;
}

std::string narEntryToJson(const NarEntry& entry, bool recursive) {
  std::string out;
  toJson(out, entry, recursive);
  return out;
}


} // namespace nixpp
