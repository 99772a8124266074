# Every prod bucket that staging also has is versioned: a bucket both environments use is application data, and
# prod's copy must survive an overwrite.
package envparity.buckets

why := "A bucket the application uses in both environments holds its data; without versioning in prod, an overwrite or a delete is final."

deny contains finding if {
	staged := {b.key | some b in input.staging.resources; b.kind == "aws.s3.bucket"}
	some bucket in input.prod.resources
	bucket.kind == "aws.s3.bucket"
	staged[bucket.key]
	bucket.attributes.versioning != "Enabled"
	finding := {
		"id": "prod-bucket-versioned",
		"kind": bucket.kind,
		"key": bucket.key,
		"field": "versioning",
		"prod": bucket.attributes.versioning,
		"msg": sprintf("prod's %s is %s, not versioned", [bucket.key, bucket.attributes.versioning]),
		"why": why,
	}
}
