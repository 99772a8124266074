# No two environments share a KMS key: one key's grants, rotation and deletion would tie staging to prod. Keys
# are found as KMS key ARNs (`arn:aws:kms:...:key/...`) in a resource's identifiers or top-level attributes.
package envparity.kms

why := "A KMS key shared by staging and prod lets staging's roles decrypt prod's data, and ties both to one key's grants and deletion."

is_key(value) if {
	is_string(value)
	startswith(value, "arn:aws:kms:")
}

# [key ARN, resource key] for every key a resource of one side names.
uses(side) := {[value, r.key] |
	some r in input[side].resources
	some value in object.get(r, "identifiers", [])
	is_key(value)
} | {[value, r.key] |
	some r in input[side].resources
	some value in r.attributes
	is_key(value)
}

deny contains finding if {
	some [arn, staging_key] in uses("staging")
	some [prod_arn, prod_key] in uses("prod")
	arn == prod_arn
	finding := {
		"id": "shared-kms-key",
		"kind": "aws.kms.key",
		"key": arn,
		"msg": sprintf("%s is used by staging's %s and by prod's %s", [arn, staging_key, prod_key]),
		"why": why,
	}
}
