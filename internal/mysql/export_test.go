package mysql

// ScopeClause exposes scopeClause to the external tests.
var ScopeClause = scopeClause
