// Package layout holds the dependency rules of the module's packages as a
// test (make lint runs it): storage and HTTP are adapters around the
// domain, and the job framework knows no domain. See docs/development.md.
package layout
