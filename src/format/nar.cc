#include "format/nar.h"

#include <cstring>
#include <memory>

namespace nixpp {

namespace {

// Tokens ("(", "type", "executable", ...) are short; anything longer is garbage.
constexpr size_t maxTokenLength = 16;
constexpr size_t contentsBufferSize = 256 * 1024;

// Wraps the caller's source to count the bytes consumed (for narOffset and validateNar).
class CountingSource : public Source {
public:
  explicit CountingSource(Source& next) : next_(next) {}
  size_t read(char* data, size_t len) override {
    size_t n = next_.read(data, len);
    pos += n;
    return n;
  }
  uint64_t pos = 0;

private:
  Source& next_;
};

class Parser {
public:
  Parser(Source& source, NarVisitor& visitor)
      : src_(source), visitor_(visitor), buf_(new char[contentsBufferSize]) {}

  void run() {
    readMagic();
    parseNode("", 0);
  }
  uint64_t pos() const { return src_.pos; }

private:
  CountingSource src_;
  NarVisitor& visitor_;
  std::unique_ptr<char[]> buf_;

  uint64_t readLength() { return readU64(src_); }

  void readPaddingOf(uint64_t len) {
    if (len % 8 == 0) return;
    char pad[8];
    size_t n = 8 - len % 8;
    src_.readExact(pad, n);
    for (size_t i = 0; i < n; ++i)
      if (pad[i]) throw BadNar("non-zero padding");
  }

  // A framed string of at most `maxLen` bytes; `what` names it in the error.
  std::string readStr(size_t maxLen, std::string_view what) {
    uint64_t len = readLength();
    if (len > maxLen) throw BadNar("bad archive: " + std::string(what) + " is too long");
    std::string s(len, '\0');
    src_.readExact(s.data(), len);
    readPaddingOf(len);
    return s;
  }

  std::string readToken() { return readStr(maxTokenLength, "token"); }

  void expect(std::string_view tok, std::string_view msg) {
    if (readToken() != tok) throw BadNar("bad archive: " + std::string(msg));
  }

  void readMagic() {
    uint64_t len = readLength();
    if (len != narVersionMagic.size()) throw BadNar("bad archive: input doesn't look like a Nix archive");
    char magic[narVersionMagic.size()];
    src_.readExact(magic, len);
    readPaddingOf(len);
    if (std::string_view(magic, len) != narVersionMagic)
      throw BadNar("bad archive: input doesn't look like a Nix archive");
  }

  [[noreturn]] static void unknownField(const std::string& tok) {
    if (tok == "type") throw BadNar("bad archive: multiple type fields");
    throw BadNar("bad archive: unknown field " + tok);
  }

  void parseNode(const std::string& path, size_t depth) {
    expect("(", "expected open tag");
    std::string tok = readToken();
    if (tok != "type") {
      if (tok == ")") throw BadNar("bad archive: node has no type");
      unknownField(tok);
    }
    std::string type = readToken();
    if (type == "regular")
      parseRegular(path);
    else if (type == "symlink")
      parseSymlink(path);
    else if (type == "directory")
      parseDirectory(path, depth);
    else
      throw BadNar("bad archive: unknown file type " + type);
  }

  void parseRegular(const std::string& path) {
    std::string tok = readToken();
    bool executable = false;
    if (tok == "executable") {
      if (!readToken().empty()) throw BadNar("bad archive: executable marker has non-empty value");
      executable = true;
      tok = readToken();
    }
    if (tok != "contents") {
      if (tok == ")") throw BadNar("bad archive: regular file has no contents");
      unknownField(tok);
    }
    uint64_t size = readLength();
    visitor_.createRegularFile(path, executable, size, src_.pos);
    for (uint64_t left = size; left;) {
      size_t n = left < contentsBufferSize ? size_t(left) : contentsBufferSize;
      src_.readExact(buf_.get(), n);
      visitor_.receiveContents(std::string_view(buf_.get(), n));
      left -= n;
    }
    readPaddingOf(size);
    visitor_.closeFile();
    tok = readToken();
    if (tok != ")") unknownField(tok);
  }

  void parseSymlink(const std::string& path) {
    std::string tok = readToken();
    if (tok != "target") {
      if (tok == ")") throw BadNar("bad archive: symlink has no target");
      unknownField(tok);
    }
    std::string target = readStr(narMaxTargetLength, "symlink target");
    visitor_.createSymlink(path, target);
    tok = readToken();
    if (tok != ")") unknownField(tok);
  }

  void parseDirectory(const std::string& path, size_t depth) {
    if (depth >= narMaxDepth) throw BadNar("bad archive: directories are nested too deeply");
    visitor_.createDirectory(path);
    std::string prev;
    for (;;) {
      std::string tok = readToken();
      if (tok == ")") return;
      if (tok != "entry") unknownField(tok);
      expect("(", "expected open tag");
      expect("name", "entry name missing");
      std::string name = readStr(narMaxNameLength, "file name");
      if (!isValidNarName(name)) throw BadNar("NAR contains invalid file name '" + name + "'");
      if (name <= prev) throw BadNar("NAR directory is not sorted");
      expect("node", "entry has no node");
      parseNode(path + "/" + name, depth + 1);
      expect(")", "expected close tag");
      prev = std::move(name);
    }
  }
};

// Discards everything.
class NullVisitor : public NarVisitor {
public:
  void createDirectory(const std::string&) override {}
  void createRegularFile(const std::string&, bool, uint64_t, uint64_t) override {}
  void receiveContents(std::string_view) override {}
  void closeFile() override {}
  void createSymlink(const std::string&, const std::string&) override {}
};

uint64_t runParser(Source& source, NarVisitor& visitor) {
  Parser p(source, visitor);
  try {
    p.run();
  } catch (EndOfFile&) {
    throw BadNar("unexpected end-of-file");
  }
  return p.pos();
}

} // namespace

bool isValidNarName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

void parseNar(Source& source, NarVisitor& visitor) { runParser(source, visitor); }

uint64_t validateNar(Source& source) {
  NullVisitor v;
  return runParser(source, v);
}

// --- NarWriter -------------------------------------------------------------------------------

NarWriter::NarWriter(Sink& sink) : sink_(sink) { writeString(sink_, narVersionMagic); }

void NarWriter::beginNode() {
  if (!expectNode_ || rootDone_ || inFile_) throw BadNar("NAR writer: a node is not expected here");
  expectNode_ = false;
}

void NarWriter::endNode() {
  if (lastNames_.empty()) rootDone_ = true;
}

void NarWriter::createRegularFile(bool executable, uint64_t size) {
  beginNode();
  writeString(sink_, "(");
  writeString(sink_, "type");
  writeString(sink_, "regular");
  if (executable) {
    writeString(sink_, "executable");
    writeString(sink_, "");
  }
  writeString(sink_, "contents");
  writeU64(sink_, size);
  inFile_ = true;
  fileSize_ = size;
  fileLeft_ = size;
}

void NarWriter::contents(std::string_view chunk) {
  if (!inFile_) throw BadNar("NAR writer: contents outside a regular file");
  if (chunk.size() > fileLeft_) throw BadNar("NAR writer: file contents exceed the declared size");
  fileLeft_ -= chunk.size();
  sink_(chunk);
}

void NarWriter::closeFile() {
  if (!inFile_) throw BadNar("NAR writer: no regular file to close");
  if (fileLeft_) throw BadNar("NAR writer: file contents are shorter than the declared size");
  writePadding(sink_, fileSize_);
  writeString(sink_, ")");
  inFile_ = false;
  endNode();
}

void NarWriter::createSymlink(std::string_view target) {
  beginNode();
  writeString(sink_, "(");
  writeString(sink_, "type");
  writeString(sink_, "symlink");
  writeString(sink_, "target");
  writeString(sink_, target);
  writeString(sink_, ")");
  endNode();
}

void NarWriter::createDirectory() {
  beginNode();
  writeString(sink_, "(");
  writeString(sink_, "type");
  writeString(sink_, "directory");
  lastNames_.emplace_back();
  inEntry_.push_back(false);
}

void NarWriter::beginEntry(std::string_view name) {
  if (lastNames_.empty() || inEntry_.back() || inFile_)
    throw BadNar("NAR writer: an entry is not expected here");
  if (!isValidNarName(name)) throw BadNar("NAR contains invalid file name '" + std::string(name) + "'");
  if (name <= std::string_view(lastNames_.back())) throw BadNar("NAR directory is not sorted");
  lastNames_.back() = name;
  inEntry_.back() = true;
  writeString(sink_, "entry");
  writeString(sink_, "(");
  writeString(sink_, "name");
  writeString(sink_, name);
  writeString(sink_, "node");
  expectNode_ = true;
}

void NarWriter::endEntry() {
  if (lastNames_.empty() || !inEntry_.back() || expectNode_ || inFile_)
    throw BadNar("NAR writer: no complete entry to end");
  writeString(sink_, ")");
  inEntry_.back() = false;
}

void NarWriter::closeDirectory() {
  if (lastNames_.empty() || inEntry_.back() || inFile_)
    throw BadNar("NAR writer: no directory to close");
  writeString(sink_, ")");
  lastNames_.pop_back();
  inEntry_.pop_back();
  endNode();
}

} // namespace nixpp
