// Package layout holds the shape rules of the module as tests (make lint
// runs them): the dependency rules of its packages (storage and HTTP are
// adapters around the domain, the job framework knows no domain) and the
// bound on function length outside tests. See docs/development.md.
package layout
