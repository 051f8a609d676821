package httpapi

import "github.com/gin-gonic/gin"

// contentSecurityPolicy suits the API and the same-origin console served
// at /: everything from this origin only, no inline or foreign script, no
// plug-ins, never inside a frame. Inline styles are refused too: the
// console's styles are files, and the styles its components compute at run
// time are set through the DOM (CSSOM), which the policy allows; the
// console's end-to-end test fails on any CSP violation. See docs/security.md.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// hstsValue asks browsers to use HTTPS only, for a year.
const hstsValue = "max-age=31536000; includeSubDomains"

// securityHeaders sets the response headers every answer carries, API,
// health, documents and console assets alike (it is the engine's first
// middleware, so refusals and panics get them too): no MIME sniffing, no
// referrer outside this origin, no framing, the CSP, HSTS when hsts is on,
// and Cache-Control: no-store on everything under /api (authenticated
// answers and tokens must not be kept by browsers or proxies; a handler may
// set its own).
func securityHeaders(hsts bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		if hsts {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		if underAPI(c.Request.URL.Path) {
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}
