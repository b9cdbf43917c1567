#include "expr/eval_error.h"

namespace nixpp {

namespace {
// Nix indents every line of an error by the width of "error: ", so a message's continuation
// lines line up under its first.
std::string indentMessage(const std::string& msg) {
  std::string out;
  for (char c : msg) {
    out += c;
    if (c == '\n') out += "       ";
  }
  return out;
}
} // namespace

std::string renderErrorWithPos(const std::string& msg, const Pos& pos) {
  if (!pos) return indentMessage(msg);
  return indentMessage(msg) + "\n       at " + pos.toString() + ":" + pos.codeFrame();
}

EvalError::EvalError(const std::string& msg, const Pos& pos)
    : Error(renderErrorWithPos(msg, pos)), msg_(msg), pos_(pos) {}

std::string EvalError::render(bool showTrace) const {
  if (!showTrace || traces.empty()) return renderErrorWithPos(msg_, pos_);
  // Nix prints the outermost frame first; traces were added innermost first.
  std::string out;
  for (auto t = traces.rbegin(); t != traces.rend(); ++t) {
    out += "\n       … " + t->hint;
    if (t->pos) out += "\n         at " + t->pos.toString() + ":" + t->pos.codeFrame();
    out += "\n";
  }
  out += "\n       error: " + renderErrorWithPos(msg_, pos_);
  return out;
}

} // namespace nixpp
