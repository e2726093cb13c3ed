"""The semantic model: qualified names, kinds and scopes, in source order."""
