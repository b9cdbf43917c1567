#include "expr/eval_error.h"

namespace nixpp {

std::string renderErrorWithPos(const std::string& msg, const Pos& pos) {
  if (!pos) return msg;
  return msg + "\n       at " + pos.toString() + ":" + pos.codeFrame();
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
