"""The rules: a package per family, a module per rule (its record, its check and its fix).

:data:`mlsmells.registry.RULE_MODULES` lists the modules; importing this package
imports none of them.
"""
