# Every queue that feeds a function hides a message for at least six times the function's timeout, in each
# environment (AWS's advice for SQS event sources). envparity's built-in `queue-visibility` says the same; this
# module shows the shape of a rule over two resources of one snapshot.
package envparity.queues

why := "A message still in work must not be handed out again: the queue that feeds a function has to hide it for six times the function's timeout."

deny contains finding if {
	some side in ["staging", "prod"]
	resources := input[side].resources
	queues := {q.key: q | some q in resources; q.kind == "aws.sqs.queue"}
	some fn in resources
	fn.kind == "aws.lambda.function"
	some source in fn.attributes.event_sources
	source.source_kind == "sqs"
	queue := queues[source.source]
	queue.attributes.visibility_timeout_seconds < 6 * fn.attributes.timeout_seconds
	finding := {
		"id": "queue-visibility-6x",
		"kind": "aws.sqs.queue",
		"key": queue.key,
		"field": "visibility_timeout_seconds",
		"msg": sprintf("%s: %s hides a message for %d s, less than six times the %d s timeout of %s", [side, queue.key, queue.attributes.visibility_timeout_seconds, fn.attributes.timeout_seconds, fn.key]),
		"why": why,
	}
}
