# Staging has no internet-facing load balancer that serves plain HTTP (a listener on HTTP that does not redirect
# to HTTPS): staging holds real-looking data and credentials more often than anyone admits.
package envparity.load_balancers

why := "An internet-facing staging load balancer that serves plain HTTP exposes sessions and credentials on the wire."

deny contains finding if {
	some lb in input.staging.resources
	lb.kind == "aws.elbv2.load_balancer"
	lb.attributes.scheme == "internet-facing"
	some listener in lb.attributes.listeners
	listener.protocol == "HTTP"
	not redirects_to_https(listener)
	finding := {
		"id": "staging-plain-http",
		"kind": lb.kind,
		"key": lb.key,
		"field": "listeners",
		"msg": sprintf("staging's internet-facing %s serves plain HTTP on port %d", [lb.key, listener.port]),
		"why": why,
	}
}

redirects_to_https(listener) if {
	some action in listener.default_actions
	action.type == "redirect"
	action.redirect.protocol == "HTTPS"
}
