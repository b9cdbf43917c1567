// expr/pos.h: source positions. A PosIdx is a 32-bit handle (0 = no position) into a PosTable,
// which resolves it to an origin («stdin», «string» or a file), a line and a column on demand.
// Positions are stored as byte offsets so that parsing costs nothing per token.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nixpp {

// Where a piece of Nix source came from. `source` is the whole text (for code frames).
struct Origin {
  enum class Kind { Stdin, String, File, Internal };
  Kind kind = Kind::String;
  std::string path;  // for Kind::File: the absolute file name; Kind::Internal: the file's name
  std::shared_ptr<const std::string> source;
  // "«stdin»", "«string»", the path, or "«nix-internal»/NAME" (the evaluator's own Nix code,
  // such as `derivation`'s), as Nix prints origins.
  std::string display() const;
};

// A compact handle to a position; 0 means "no position".
class PosIdx {
public:
  constexpr PosIdx() = default;
  constexpr explicit PosIdx(uint32_t id) : id_(id) {}
  constexpr uint32_t id() const { return id_; }
  constexpr explicit operator bool() const { return id_ != 0; }
  constexpr auto operator<=>(const PosIdx&) const = default;

private:
  uint32_t id_ = 0;
};
inline constexpr PosIdx noPos{};

// A resolved position. Lines and columns count from 1; columns count bytes. "\n", "\r\n" and a
// lone "\r" each end a line, as in Nix.
struct Pos {
  const Origin* origin = nullptr;
  uint32_t line = 0, column = 0;
  explicit operator bool() const { return origin != nullptr; }
  // "«stdin»:3:1" / "/path/file.nix:3:1".
  std::string toString() const;
  // Nix's code frame: the line before, the line with a caret under `column`, the line after,
  // each line starting with "\n". Empty when the source is unknown.
  std::string codeFrame() const;
};

// Owns origins and maps PosIdx to them. Each origin takes a range of handles as long as its
// source, so adding a position is an addition. Not thread-safe.
class PosTable {
public:
  PosTable();
  ~PosTable();
  PosTable(const PosTable&) = delete;
  PosTable& operator=(const PosTable&) = delete;

  // Registers an origin; returns its number for add(). Throws Error if the table's 4 GiB of
  // handles is exhausted.
  uint32_t addOrigin(Origin origin);
  // The handle of byte `offset` (0 <= offset <= source size) of origin `originNr`.
  PosIdx add(uint32_t originNr, uint32_t offset) const;
  // Resolves a handle; a default Pos for noPos.
  Pos operator[](PosIdx p) const;
  const Origin& origin(uint32_t originNr) const;

private:
  struct Entry;
  std::vector<std::unique_ptr<Entry>> origins_;
};

} // namespace nixpp
