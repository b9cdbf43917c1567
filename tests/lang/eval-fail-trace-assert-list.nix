# A failed `assert a == b` on lists says which element differs and how.
assert [
  1
  2
] == [
  1
  3
];
1
