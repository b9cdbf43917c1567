# toString of a list: the element that cannot be coerced, under the argument's frame.
toString [
  1
  { }
]
