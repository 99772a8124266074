"""Seeds a moto server through the AWS API with the web shop of the end-to-end tests.

    python seed.py ENDPOINT OUT_DIR SCENARIO [many-parameters]

SCENARIO `organization` makes an AWS Organization (see seed_organization) and writes OUT_DIR/organization.json.
SCENARIO is `two-accounts` (staging in 111111111111, prod in 222222222222), `one-account` (both in
333333333333, told apart by an Environment tag), `secrets` (SSM parameters only, in two accounts, whose names
or values hold secrets), or `bench` (a few hundred resources in two accounts and two regions, for the
collection benchmark). Writes OUT_DIR/aws-credentials and OUT_DIR/aws-config with the
profiles `staging` and `prod`, whose access keys moto maps to their accounts. `many-parameters` adds 25 SSM
parameters to each environment, so that reading them takes several pages; `staging-reads-prod` gives staging a
DATABASE_URL that names prod's database endpoint.

The differences planted between staging and prod are listed in PLANTED; the test asserts exactly those.
"""

import io
import json
import sys
import zipfile

import boto3

REGION = "eu-west-1"
AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


# Any AMI id does: the test server loads no public AMIs and checks none (see moto_server.py).
BASE_AMI = "ami-12c6146b"


def clients(endpoint, account, region=REGION):
    """boto3 clients that act inside `account` (moto reads the x-moto-account-id header)."""

    def add_header(request, **_):
        request.headers["x-moto-account-id"] = account

    def make(service):
        c = boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="seed",
            aws_secret_access_key="seed",
        )
        c.meta.events.register("before-sign.*.*", add_header)
        return c

    return make


def profile_keys(make, user):
    iam = make("iam")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def seed_env(make, env, many_parameters):
    """One environment of the shop. `env` is staging or prod; names carry it as a token."""
    prod = env == "prod"
    tags = [{"Key": "Environment", "Value": env}]
    ec2 = make("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    alb_sg = ec2.create_security_group(GroupName=f"shop-{env}-alb-sg", Description="alb", VpcId=vpc)["GroupId"]
    bastion_sg = ec2.create_security_group(GroupName=f"bastion-{env}-sg", Description="bastion", VpcId=vpc)["GroupId"]

    # AMIs with release names, made from a throwaway instance.
    builder = ec2.run_instances(ImageId=BASE_AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    web_ami = ec2.create_image(InstanceId=builder, Name="shop-web-2026.11.20")["ImageId"]
    bastion_ami = ec2.create_image(InstanceId=builder, Name="bastion-2026.11.14")["ImageId"]
    ec2.terminate_instances(InstanceIds=[builder])

    ec2.create_launch_template(
        LaunchTemplateName=f"shop-web-{env}-lt",
        LaunchTemplateData={
            "ImageId": web_ami,
            "InstanceType": "m6i.xlarge" if prod else "m6i.large",  # expected: same family
            "MetadataOptions": {"HttpTokens": "required"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True}}],
            "TagSpecifications": [],
        },
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": tags}],
    )
    ec2.run_instances(
        ImageId=bastion_ami,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SecurityGroupIds=[bastion_sg],
        MetadataOptions={"HttpTokens": "required"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags + [{"Key": "Name", "Value": f"bastion-{env}"}]}],
    )

    elbv2 = make("elbv2")
    tg = elbv2.create_target_group(
        Name=f"shop-web-{env}-tg",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        HealthCheckProtocol="HTTP",
        HealthCheckPath="/healthz",
        HealthCheckIntervalSeconds=30 if prod else 10,  # planted: health check interval
        HealthCheckTimeoutSeconds=5,
        HealthyThresholdCount=3,
        UnhealthyThresholdCount=3,
        Matcher={"HttpCode": "200"},
        Tags=tags,
    )["TargetGroups"][0]["TargetGroupArn"]
    lb = elbv2.create_load_balancer(
        Name=f"shop-{env}-alb",
        Subnets=subnets[:2],
        SecurityGroups=[alb_sg],
        Scheme="internet-facing",
        Type="application",
        Tags=tags,
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb,
        Attributes=[
            {"Key": "idle_timeout.timeout_seconds", "Value": "120" if prod else "60"},  # planted: LB attribute
            {"Key": "deletion_protection.enabled", "Value": "true" if prod else "false"},
        ],
    )
    certificate = make("acm").request_certificate(DomainName=f"shop.{env}.example.com")["CertificateArn"]
    elbv2.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06" if prod else "ELBSecurityPolicy-TLS13-1-2-2021-06",  # planted
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    elbv2.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    )

    autoscaling = make("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=f"shop-web-{env}-asg",
        LaunchTemplate={"LaunchTemplateName": f"shop-web-{env}-lt", "Version": "$Default"},
        MinSize=3 if prod else 1,
        MaxSize=6 if prod else 2,
        DesiredCapacity=3 if prod else 1,  # expected: a smaller fleet in staging
        AvailabilityZones=AZS[:2],
        TargetGroupARNs=[tg],
        HealthCheckType="ELB",
        HealthCheckGracePeriod=120,
        Tags=[{"Key": "Environment", "Value": env, "PropagateAtLaunch": True}],
    )

    rds = make("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName=f"orders-{env}-pg", DBParameterGroupFamily="postgres15", Description="orders", Tags=tags
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName=f"orders-{env}-pg",
        # planted: a parameter, compared once (on the group, not again on the database using it)
        Parameters=[
            {"ParameterName": "max_connections", "ParameterValue": "800" if prod else "200", "ApplyMethod": "pending-reboot"}
        ],
    )
    rds.create_db_instance(
        DBInstanceIdentifier=f"orders-{env}-db",
        Engine="postgres",
        EngineVersion="15.6" if prod else "14.11",  # planted: engine version
        DBInstanceClass="db.r6g.2xlarge" if prod else "db.t4g.large",  # planted: instance family
        AllocatedStorage=500 if prod else 100,
        MultiAZ=prod,
        StorageEncrypted=True,
        DeletionProtection=prod,
        DBParameterGroupName=f"orders-{env}-pg",
        MasterUsername="orders",
        MasterUserPassword="not-a-secret-1",
        Tags=tags,
    )

    elasticache = make("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId=f"sessions-{env}",
        ReplicationGroupDescription="sessions",
        Engine="redis",
        CacheNodeType="cache.r7g.large",
        NumCacheClusters=3 if prod else 2,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=prod,
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        Tags=tags,
    )

    ssm = make("ssm")
    params = {
        f"/shop/{env}/PAYMENT_API_URL": ("String", f"https://{'payments' if prod else 'sandbox.payments'}.example.com/v2"),
        f"/shop/{env}/SESSION_SECRET": ("SecureString", "canary-session-secret-do-not-leak"),
        f"/orders/{env}/DB_POOL_SIZE": ("String", "50" if prod else "20"),
    }
    if prod:
        params[f"/orders/{env}/FEATURE_NEW_CHECKOUT"] = ("String", "on")  # planted: missing in staging
    else:
        ec2.run_instances(  # planted: an extra resource in staging
            ImageId=bastion_ami,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            MetadataOptions={"HttpTokens": "required"},
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags + [{"Key": "Name", "Value": f"debug-{env}"}]}],
        )
    if many_parameters:
        for i in range(25):
            params[f"/shop/{env}/FLAG_{i:02}"] = ("String", "on")
    for name, (kind, value) in params.items():
        ssm.put_parameter(Name=name, Value=value, Type=kind)

    # The orders service's job queue, with a dead-letter queue after five receives.
    sqs = make("sqs")
    queue_tags = {"Environment": env}
    dlq = sqs.create_queue(QueueName=f"orders-{env}-jobs-dlq", tags=queue_tags)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    jobs = sqs.create_queue(
        QueueName=f"orders-{env}-jobs",
        Attributes={
            # Six times staging's worker timeout; prod raised the worker's timeout but not this (planted).
            "VisibilityTimeout": "180",
            # planted: retries before the dead-letter queue
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3" if prod else "5"}),
        },
        tags=queue_tags,
    )["QueueUrl"]
    jobs_arn = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    # The worker that drains the job queue.
    role = make("iam").create_role(
        RoleName=f"orders-{env}-worker",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("worker.py", "def handle(event, context):\n    return None\n")
    variables = {"LOG_LEVEL": "info", "QUEUE_NAME": f"orders-{env}-jobs"}
    if prod:
        variables["FEATURE_BULK_REFUNDS"] = "on"  # planted: a variable only prod sets
    lambda_ = make("lambda")
    worker = lambda_.create_function(
        FunctionName=f"orders-{env}-worker",
        Runtime="python3.12",
        Role=role,
        Handler="worker.handle",
        Code={"ZipFile": code.getvalue()},
        Timeout=60 if prod else 30,  # planted: timeout
        MemorySize=1024 if prod else 256,  # expected: staging may be smaller
        Environment={"Variables": variables},
        Tags={"Environment": env},
    )["FunctionArn"]
    lambda_.create_event_source_mapping(EventSourceArn=jobs_arn, FunctionName=f"orders-{env}-worker", BatchSize=10)
    seed_containers_and_data(make, env, jobs_arn.split(":")[4], role, jobs_arn, worker)


def seed_containers_and_data(make, env, account, role, jobs_arn, rotator):
    """The shop's web service on ECS and EKS, its events topic, a secret, a table and a bucket."""
    prod = env == "prod"
    tags = [{"Key": "Environment", "Value": env}]

    # The web service on ECS: one task definition, run by one service.
    ecs = make("ecs")
    ecs.create_cluster(clusterName=f"shop-{env}", tags=[{"key": "Environment", "value": env}])
    environment = [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "API_BASE", "value": f"https://api.{env}.example.com"},
    ]
    if not prod:
        environment.append({"name": "DEBUG_TOOLBAR", "value": "1"})  # planted: a variable only staging sets
    ecs.register_task_definition(
        family=f"web-{env}",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="1024" if prod else "512",  # expected: staging may be smaller
        memory="2048" if prod else "1024",
        containerDefinitions=[
            {
                # One repository in each account's registry: the same image, not a difference.
                "name": "web",
                "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/shop/web:1.4.2",
                "essential": True,
                "environment": environment,
                "secrets": [
                    {
                        "name": "DB_PASSWORD",
                        "valueFrom": f"arn:aws:ssm:{REGION}:{account}:parameter/shop/{env}/DB_PASSWORD",
                    }
                ],
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost:8080/health"], "interval": 30},
                "logConfiguration": {"logDriver": "awslogs"},
            }
        ],
    )
    ecs.create_service(
        cluster=f"shop-{env}",
        serviceName="web",
        taskDefinition=f"web-{env}",
        desiredCount=6 if prod else 2,  # expected: staging may be smaller
        launchType="FARGATE",
        tags=[{"key": "Environment", "value": env}],
    )

    # Order events fan out to the job queue.
    sns = make("sns")
    topic_attributes = {"KmsMasterKeyId": "alias/aws/sns"} if prod else {}  # planted: encryption in prod only
    topic = sns.create_topic(Name=f"orders-{env}-events", Attributes=topic_attributes, Tags=tags)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=jobs_arn)

    # A payment provider's key, rotated in prod only (planted).
    secrets = make("secretsmanager")
    secret = secrets.create_secret(
        Name=f"shop/{env}/stripe-key", SecretString=f"sk_canary_{env}", Tags=tags
    )["ARN"]
    if prod:
        secrets.rotate_secret(
            SecretId=secret, RotationLambdaARN=rotator, RotationRules={"AutomaticallyAfterDays": 30}
        )
        # moto 5.2.5 quirk: after a rotation (whose function it does not run), BatchGetSecretValue fails for want
        # of an AWSCURRENT value until one is put.
        secrets.put_secret_value(SecretId=secret, SecretString=f"sk_canary_{env}", VersionStages=["AWSCURRENT"])

    # Carts in DynamoDB; prod also queries them by customer (planted: an index only prod has).
    dynamodb = make("dynamodb")
    table = {
        "TableName": f"orders-{env}-carts",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "cart_id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "cart_id", "KeyType": "HASH"}],
        "DeletionProtectionEnabled": prod,  # expected: staging may go without
        "Tags": tags,
    }
    if prod:
        table["AttributeDefinitions"].append({"AttributeName": "customer_id", "AttributeType": "S"})
        table["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    dynamodb.create_table(**table)
    dynamodb.update_time_to_live(
        TableName=f"orders-{env}-carts", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    if prod:
        dynamodb.update_continuous_backups(
            TableName=f"orders-{env}-carts",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )

    # Static assets: versioned and private on both sides; prod encrypts with KMS (planted).
    s3 = make("s3")
    bucket = f"shop-{env}-assets"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms" if prod else "AES256"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [{"ID": "expire-tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]
        },
    )

    # The same web service on EKS: prod runs a newer Kubernetes (planted).
    eks = make("eks")
    eks.create_cluster(
        name=f"shop-{env}",
        version="1.30" if prod else "1.29",
        roleArn=role,
        resourcesVpcConfig={"endpointPublicAccess": False, "endpointPrivateAccess": True},
        tags={"Environment": env},
    )
    eks.create_nodegroup(
        clusterName=f"shop-{env}",
        nodegroupName="general",
        nodeRole=role,
        subnets=["subnet-00000001"],
        instanceTypes=["m6i.2xlarge" if prod else "m6i.large"],  # expected: one family
        amiType="AL2023_x86_64_STANDARD",
        capacityType="ON_DEMAND",
        scalingConfig={"minSize": 3 if prod else 1, "maxSize": 12 if prod else 3, "desiredSize": 6 if prod else 2},
        tags={"Environment": env},
    )


# Secret by name or by content, under names that do not say `password`: none of the plain values may reach a
# snapshot. The database password is the same in both environments (a reuse to be found).
SECRET_PARAMETERS = {
    "DATABASE_URL": ("String", "postgres://shop:hunter2-db-canary@orders-{env}-db.internal:5432/shop"),
    "SECRETS": ("String", "canary-secrets-{env}"),
    "api_keys": ("String", "canary-api-keys-{env}"),
    "DB_PASS": ("String", "canary-db-pass-{env}"),
    "secrets.stripe": ("String", "canary-stripe-{env}"),
    "sessionKeys": ("String", "canary-session-keys-{env}"),
    "accesskey": ("String", "canary-accesskey-{env}"),
    "API_KEYS": ("StringList", "canary-list-a-{env},canary-list-b-{env}"),
    "ALERTS": ("String", "https://hooks.slack.com/services/T0000/B0000/canaryslackwebhook{env}"),
    "BUILD_TOKEN_HOLDER": ("String", "ghp_canary0123456789abcdefghijklmnopqrstu{env}"),
    "LOG_LEVEL": ("String", "info"),
}


def seed_secrets(make, env):
    ssm = make("ssm")
    for name, (kind, value) in SECRET_PARAMETERS.items():
        ssm.put_parameter(Name=f"/shop/{env}/{name}", Value=value.format(env=env), Type=kind)


def seed_bench(make, env, region):
    """A few hundred resources' worth of one environment in one region, for the collection benchmark."""
    tags = [{"Key": "Environment", "Value": env}]
    ec2 = make("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    sg = ec2.create_security_group(GroupName=f"app-{env}-sg", Description="app", VpcId=vpc)["GroupId"]
    for i in range(4):
        ec2.run_instances(
            ImageId=BASE_AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", SecurityGroupIds=[sg],
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags + [{"Key": "Name", "Value": f"worker{i}-{env}"}]}],
        )
    for i in range(5):
        ec2.create_launch_template(
            LaunchTemplateName=f"svc{i}-{env}-lt", LaunchTemplateData={"ImageId": BASE_AMI, "InstanceType": "m6i.large"}
        )
    autoscaling = make("autoscaling")
    for i in range(3):
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=f"svc{i}-{env}-asg",
            LaunchTemplate={"LaunchTemplateName": f"svc{i}-{env}-lt", "Version": "$Default"},
            MinSize=2, MaxSize=4, DesiredCapacity=2, AvailabilityZones=[f"{region}a"],
        )
    rds = make("rds")
    for i in range(2):
        rds.create_db_parameter_group(DBParameterGroupName=f"db{i}-{env}-pg", DBParameterGroupFamily="postgres15", Description="db")
        rds.modify_db_parameter_group(
            DBParameterGroupName=f"db{i}-{env}-pg",
            Parameters=[{"ParameterName": "max_connections", "ParameterValue": "400", "ApplyMethod": "pending-reboot"}],
        )
    for i in range(4):
        rds.create_db_instance(
            DBInstanceIdentifier=f"db{i}-{env}", Engine="postgres", EngineVersion="15.6", DBInstanceClass="db.r6g.large",
            AllocatedStorage=100, DBParameterGroupName=f"db{i % 2}-{env}-pg", MasterUsername="u", MasterUserPassword="password1",
        )
    elbv2 = make("elbv2")
    for i in range(8):
        elbv2.create_target_group(Name=f"svc{i}-{env}-tg", Protocol="HTTP", Port=8080, VpcId=vpc)
    for i in range(6):
        elbv2.create_load_balancer(Name=f"lb{i}-{env}", Subnets=subnets[:2], SecurityGroups=[sg], Type="application")
    elasticache = make("elasticache")
    for i in range(3):
        elasticache.create_replication_group(
            ReplicationGroupId=f"cache{i}-{env}", ReplicationGroupDescription="c", Engine="redis",
            CacheNodeType="cache.r7g.large", NumCacheClusters=2,
        )
    ssm = make("ssm")
    for path in ("shop", "orders"):
        for i in range(20):
            ssm.put_parameter(Name=f"/{path}/{env}/SETTING_{i:02}", Value="v", Type="String")
    sqs = make("sqs")
    for i in range(6):
        sqs.create_queue(QueueName=f"jobs{i}-{env}", Attributes={"VisibilityTimeout": "60"})
    role = make("iam").create_role(RoleName=f"fn-{env}-{region}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("fn.py", "def handle(event, context):\n    return None\n")
    for i in range(4):
        make("lambda").create_function(
            FunctionName=f"fn{i}-{env}", Runtime="python3.12", Role=role, Handler="fn.handle",
            Code={"ZipFile": code.getvalue()}, Timeout=30,
        )
    ecs = make("ecs")
    ecs.create_cluster(clusterName=f"apps-{env}")
    for i in range(3):
        ecs.register_task_definition(
            family=f"app{i}-{env}", containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 512}]
        )
        ecs.create_service(cluster=f"apps-{env}", serviceName=f"app{i}", taskDefinition=f"app{i}-{env}", desiredCount=1)
    for i in range(3):
        make("sns").create_topic(Name=f"events{i}-{env}")
        make("secretsmanager").create_secret(Name=f"app{i}/{env}/key", SecretString="x")
        make("dynamodb").create_table(
            TableName=f"table{i}-{env}", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
    for i in range(2):
        bucket = f"assets{i}-{env}-{region}"
        if region == "us-east-1":
            make("s3").create_bucket(Bucket=bucket)
        else:
            make("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    eks = make("eks")
    eks.create_cluster(name=f"k8s-{env}", version="1.30", roleArn=role, resourcesVpcConfig={})
    for i in range(2):
        eks.create_nodegroup(
            clusterName=f"k8s-{env}", nodegroupName=f"pool{i}", nodeRole=role, subnets=subnets[:1],
            instanceTypes=["m6i.large"], scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
        )


MANAGEMENT = "999999999999"
ORG_REGIONS = ["eu-west-1", "us-east-1"]


def seed_organization(endpoint, out_dir, per_env, planted_in):
    """An organisation whose management account (profile `org`) lists the accounts: an OU per environment, with
    half of prod's accounts in a child OU (found only recursively). Each account holds one queue per region, named
    after the account's place in its environment (svcN-ENV-jobs), so staging's Nth account pairs with prod's Nth.
    In prod's account number `planted_in`, the eu-west-1 queue's visibility timeout differs (60 s, not 30 s)."""
    org = clients(endpoint, MANAGEMENT, "us-east-1")("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    units, accounts = {}, {}
    for env in ("staging", "prod"):
        unit = org.create_organizational_unit(ParentId=root, Name=env)["OrganizationalUnit"]["Id"]
        child = org.create_organizational_unit(ParentId=unit, Name=f"{env}-more")["OrganizationalUnit"]["Id"]
        units[env] = unit
        accounts[env] = []
        for n in range(per_env):
            created = org.create_account(Email=f"{env}{n}@example.com", AccountName=f"shop-{env}-{n}")
            account = created["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=child if n % 2 else unit)
            org.tag_resource(ResourceId=account, Tags=[{"Key": "Stage", "Value": env}])
            accounts[env].append(account)
            for region in ORG_REGIONS:
                timeout = "60" if env == "prod" and n == planted_in and region == "eu-west-1" else "30"
                clients(endpoint, account, region)("sqs").create_queue(
                    QueueName=f"svc{n}-{env}-jobs",
                    Attributes={"VisibilityTimeout": timeout, "SqsManagedSseEnabled": "true"},
                )
    # Where every shard and the scheduled audit keep snapshots and history.
    clients(endpoint, MANAGEMENT, "us-east-1")("s3").create_bucket(Bucket="envparity-history")
    key_id, secret = profile_keys(clients(endpoint, MANAGEMENT), "envparity-org")
    with open(f"{out_dir}/aws-credentials", "w") as f:
        f.write(f"[org]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
    with open(f"{out_dir}/aws-config", "w") as f:
        f.write(f"[profile org]\nregion = {REGION}\n")
    with open(f"{out_dir}/organization.json", "w") as f:
        json.dump({"units": units, "accounts": accounts}, f)


# The example's hand-written states, and the states real Terraform wrote (scripts/terraform-reference) in moto's
# default account.
FIXTURE_STATES = "../../examples/terraform/infra/terraform.tfstate.d/{env}/terraform.tfstate"
REAL_STATES = "../terraform/states/{env}.tfstate"
REAL_ACCOUNT = "123456789012"


def tags_of(a):
    """A resource's tags as its state holds them: with the provider's default tags, when it has them."""
    return a.get("tags_all") or a.get("tags") or {}

# Where the states are kept, as the S3 backend lays out workspaces (workspace_key_prefix "env:").
STATE_BUCKET = "shop-tfstate"


def state_instances(state):
    """(module, type, name, index, attributes) of every managed instance of a state."""
    for r in state["resources"]:
        if r["mode"] != "managed":
            continue
        for i in r["instances"]:
            yield r.get("module", ""), r["type"], r["name"], i.get("index_key"), i["attributes"]


def seed_from_state(make, state):
    """Creates on moto what a state of the shop describes, through the AWS API, and returns the state with the
    identifiers moto gave (a secret's ARN ends in a random suffix) in place of the fixture's."""
    rds, sqs, sns, ssm, s3 = make("rds"), make("sqs"), make("sns"), make("ssm"), make("s3")
    secrets, dynamodb = make("secretsmanager"), make("dynamodb")
    tag_list = lambda a: [{"Key": k, "Value": v} for k, v in tags_of(a).items()]
    replaced = {}
    instances = list(state_instances(state))
    by_type = lambda t: [a for (_, typ, _, _, a) in instances if typ == t]
    for a in by_type("aws_db_parameter_group"):
        rds.create_db_parameter_group(
            DBParameterGroupName=a["name"], DBParameterGroupFamily=a["family"], Description=a["description"],
            Tags=tag_list(a),
        )
        rds.modify_db_parameter_group(
            DBParameterGroupName=a["name"],
            Parameters=[{"ParameterName": p["name"], "ParameterValue": p["value"], "ApplyMethod": p["apply_method"]}
                        for p in a["parameter"]],
        )
    for a in by_type("aws_db_instance"):
        rds.create_db_instance(
            DBInstanceIdentifier=a["identifier"], Engine=a["engine"], EngineVersion=a["engine_version_actual"],
            DBInstanceClass=a["instance_class"], AllocatedStorage=a["allocated_storage"], MultiAZ=a["multi_az"],
            StorageType=a["storage_type"], StorageEncrypted=a["storage_encrypted"],
            DeletionProtection=a["deletion_protection"], BackupRetentionPeriod=a["backup_retention_period"],
            PubliclyAccessible=a["publicly_accessible"], AutoMinorVersionUpgrade=a["auto_minor_version_upgrade"],
            DBParameterGroupName=a["parameter_group_name"], MasterUsername=a["username"],
            MasterUserPassword=a["password"], Tags=tag_list(a),
        )
    for a in by_type("aws_sqs_queue"):
        attributes = {
            "VisibilityTimeout": a["visibility_timeout_seconds"], "MessageRetentionPeriod": a["message_retention_seconds"],
            "MaximumMessageSize": a["max_message_size"], "DelaySeconds": a["delay_seconds"],
            "ReceiveMessageWaitTimeSeconds": a["receive_wait_time_seconds"],
            "SqsManagedSseEnabled": a["sqs_managed_sse_enabled"],
        }
        sqs.create_queue(QueueName=a["name"], Attributes={k: str(v).lower() if isinstance(v, bool) else str(v)
                                                          for k, v in attributes.items()}, tags=tags_of(a))
    for a in by_type("aws_sns_topic"):
        sns.create_topic(Name=a["name"], Attributes={"KmsMasterKeyId": a["kms_master_key_id"]}, Tags=tag_list(a))
    for a in by_type("aws_sns_topic_subscription"):
        sns.subscribe(TopicArn=a["topic_arn"], Protocol=a["protocol"], Endpoint=a["endpoint"])
    for a in by_type("aws_s3_bucket"):
        s3.create_bucket(Bucket=a["bucket"], CreateBucketConfiguration={"LocationConstraint": a["region"]})
        s3.put_bucket_tagging(Bucket=a["bucket"], Tagging={"TagSet": tag_list(a)})
    for a in by_type("aws_s3_bucket_versioning"):
        status = a["versioning_configuration"][0]["status"]
        s3.put_bucket_versioning(Bucket=a["bucket"], VersioningConfiguration={"Status": status})
    for a in by_type("aws_s3_bucket_server_side_encryption_configuration"):
        rule = a["rule"][0]
        default = rule["apply_server_side_encryption_by_default"][0]
        s3.put_bucket_encryption(Bucket=a["bucket"], ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default["sse_algorithm"]},
            "BucketKeyEnabled": rule["bucket_key_enabled"],
        }]})
    for a in by_type("aws_s3_bucket_public_access_block"):
        s3.put_public_access_block(Bucket=a["bucket"], PublicAccessBlockConfiguration={
            "BlockPublicAcls": a["block_public_acls"], "IgnorePublicAcls": a["ignore_public_acls"],
            "BlockPublicPolicy": a["block_public_policy"], "RestrictPublicBuckets": a["restrict_public_buckets"],
        })
    for a in by_type("aws_ssm_parameter"):
        ssm.put_parameter(Name=a["name"], Value=a["value"], Type=a["type"], Tier=a["tier"], DataType=a["data_type"])
    versions = {v["secret_id"]: v for v in by_type("aws_secretsmanager_secret_version")}
    for a in by_type("aws_secretsmanager_secret"):
        made = secrets.create_secret(Name=a["name"], SecretString=versions[a["arn"]]["secret_string"], Tags=tag_list(a))
        replaced[a["arn"]] = made["ARN"]
    for a in by_type("aws_dynamodb_table"):
        dynamodb.create_table(
            TableName=a["name"], BillingMode=a["billing_mode"],
            KeySchema=[{"AttributeName": a["hash_key"], "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": x["name"], "AttributeType": x["type"]} for x in a["attribute"]],
            DeletionProtectionEnabled=a["deletion_protection_enabled"], Tags=tag_list(a),
        )
        dynamodb.update_continuous_backups(TableName=a["name"], PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": a["point_in_time_recovery"][0]["enabled"]})
        ttl = a["ttl"][0]
        dynamodb.update_time_to_live(TableName=a["name"], TimeToLiveSpecification={
            "Enabled": ttl["enabled"], "AttributeName": ttl["attribute_name"]})
    seed_compute_from_state(make, instances, replaced)
    text = json.dumps(state, indent=2)
    for old, new in replaced.items():
        text = text.replace(old, new)
    return text


def seed_compute_from_state(make, instances, replaced):
    """The compute part of a shop state on moto: security groups, a launch template, an instance, a target group,
    a load balancer and its listener, an Auto Scaling group, a function fed by a queue, an ECS service, an EKS
    cluster and node group. What moto names by random ids (groups, templates, ARNs) is recorded in `replaced`."""
    by_type = lambda t: [a for (_, typ, _, _, a) in instances if typ == t]
    ec2, elbv2, autoscaling, iam = make("ec2"), make("elbv2"), make("autoscaling"), make("iam")
    awslambda, ecs, eks, sqs = make("lambda"), make("ecs"), make("eks"), make("sqs")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    for group in by_type("aws_security_group"):
        replaced[group["vpc_id"]] = vpc
        replaced[group["id"]] = ec2.create_security_group(
            GroupName=group["name"], Description=group["description"], VpcId=vpc)["GroupId"]
    tags = lambda a: [{"Key": k, "Value": v} for k, v in tags_of(a).items()]
    for a in by_type("aws_launch_template"):
        ebs = lambda d: d["ebs"][0]
        made = ec2.create_launch_template(LaunchTemplateName=a["name"], LaunchTemplateData={
            "ImageId": a["image_id"], "InstanceType": a["instance_type"],
            "MetadataOptions": {"HttpTokens": a["metadata_options"][0]["http_tokens"]},
            "BlockDeviceMappings": [{"DeviceName": d["device_name"], "Ebs": {
                "VolumeSize": ebs(d)["volume_size"], "VolumeType": ebs(d)["volume_type"],
                "Encrypted": ebs(d)["encrypted"] == "true"}} for d in a["block_device_mappings"]],
        }, TagSpecifications=[{"ResourceType": "launch-template", "Tags": tags(a)}])
        replaced[a["id"]] = made["LaunchTemplate"]["LaunchTemplateId"]
    for a in by_type("aws_instance"):
        made = ec2.run_instances(
            ImageId=a["ami"], MinCount=1, MaxCount=1, InstanceType=a["instance_type"],
            SecurityGroupIds=[replaced[g] for g in a["vpc_security_group_ids"]],
            MetadataOptions={"HttpTokens": a["metadata_options"][0]["http_tokens"]},
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags(a)}],
        )["Instances"][0]
        replaced[a["id"]] = made["InstanceId"]
        replaced[a["subnet_id"]] = made["SubnetId"]
    for a in by_type("aws_lb_target_group"):
        h = a["health_check"][0]
        made = elbv2.create_target_group(
            Name=a["name"], Protocol=a["protocol"], ProtocolVersion=a["protocol_version"], Port=a["port"], VpcId=vpc,
            TargetType=a["target_type"], HealthCheckProtocol=h["protocol"], HealthCheckPath=h["path"],
            HealthCheckPort=h["port"], HealthCheckIntervalSeconds=h["interval"], HealthCheckTimeoutSeconds=h["timeout"],
            HealthyThresholdCount=h["healthy_threshold"], UnhealthyThresholdCount=h["unhealthy_threshold"],
            Matcher={"HttpCode": h["matcher"]}, Tags=tags(a),
        )["TargetGroups"][0]
        replaced[a["arn"]] = made["TargetGroupArn"]
    for a in by_type("aws_lb"):
        for fixture, real in zip(a["subnets"], subnets):
            replaced[fixture] = real
        made = elbv2.create_load_balancer(
            Name=a["name"], Subnets=subnets[:2], SecurityGroups=[replaced[g] for g in a["security_groups"]],
            Scheme="internal" if a["internal"] else "internet-facing", Type=a["load_balancer_type"],
            IpAddressType=a["ip_address_type"], Tags=tags(a),
        )["LoadBalancers"][0]
        replaced[a["arn"]] = made["LoadBalancerArn"]
        replaced[a["dns_name"]] = made["DNSName"]
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=made["LoadBalancerArn"], Attributes=[
            {"Key": "idle_timeout.timeout_seconds", "Value": str(a["idle_timeout"])},
            {"Key": "deletion_protection.enabled", "Value": str(a["enable_deletion_protection"]).lower()},
        ])
    for a in by_type("aws_lb_listener"):
        made = elbv2.create_listener(
            LoadBalancerArn=replaced[a["load_balancer_arn"]], Protocol=a["protocol"], Port=a["port"],
            DefaultActions=[{"Type": d["type"], "TargetGroupArn": replaced[d["target_group_arn"]]}
                            for d in a["default_action"]],
        )["Listeners"][0]
        replaced[a["arn"]] = made["ListenerArn"]
    for a in by_type("aws_autoscaling_group"):
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=a["name"],
            LaunchTemplate={"LaunchTemplateName": a["launch_template"][0]["name"], "Version": "$Default"},
            MinSize=a["min_size"], MaxSize=a["max_size"], DesiredCapacity=a["desired_capacity"],
            AvailabilityZones=a["availability_zones"], TargetGroupARNs=[replaced[t] for t in a["target_group_arns"]],
            HealthCheckType=a["health_check_type"], HealthCheckGracePeriod=a["health_check_grace_period"],
            Tags=[{"Key": t["key"], "Value": t["value"], "PropagateAtLaunch": t["propagate_at_launch"]} for t in a["tag"]],
        )
        replaced[a["arn"]] = autoscaling.describe_auto_scaling_groups(
            AutoScalingGroupNames=[a["name"]])["AutoScalingGroups"][0]["AutoScalingGroupARN"]
    for a in by_type("aws_iam_role"):
        iam.create_role(RoleName=a["name"], AssumeRolePolicyDocument=a["assume_role_policy"],
                        MaxSessionDuration=a["max_session_duration"])
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return None\n")
    for a in by_type("aws_lambda_function"):
        awslambda.create_function(
            FunctionName=a["function_name"], Runtime=a["runtime"], Role=a["role"], Handler=a["handler"],
            Code={"ZipFile": code.getvalue()}, MemorySize=a["memory_size"], Timeout=a["timeout"],
            Architectures=a["architectures"], EphemeralStorage={"Size": a["ephemeral_storage"][0]["size"]},
            TracingConfig={"Mode": a["tracing_config"][0]["mode"]},
            Environment={"Variables": a["environment"][0]["variables"]}, Tags=a["tags"],
        )
    for a in by_type("aws_lambda_event_source_mapping"):
        made = awslambda.create_event_source_mapping(
            EventSourceArn=a["event_source_arn"], FunctionName=a["function_name"], BatchSize=a["batch_size"],
            MaximumBatchingWindowInSeconds=a["maximum_batching_window_in_seconds"], Enabled=a["enabled"],
        )
        replaced[a["uuid"]] = made["UUID"]
    for a in by_type("aws_ecs_cluster"):
        ecs.create_cluster(clusterName=a["name"], tags=[{"key": k, "value": v} for k, v in a["tags"].items()])
    for a in by_type("aws_ecs_task_definition"):
        made = ecs.register_task_definition(
            family=a["family"], cpu=a["cpu"], memory=a["memory"], networkMode=a["network_mode"],
            requiresCompatibilities=a["requires_compatibilities"], executionRoleArn=a["execution_role_arn"],
            containerDefinitions=json.loads(a["container_definitions"]),
        )["taskDefinition"]
        replaced[a["arn"]] = made["taskDefinitionArn"]
    for a in by_type("aws_ecs_service"):
        network = a["network_configuration"][0]
        made = ecs.create_service(
            cluster=a["cluster"], serviceName=a["name"], taskDefinition=replaced.get(a["task_definition"], a["task_definition"]),
            desiredCount=a["desired_count"], launchType=a["launch_type"], platformVersion=a["platform_version"],
            schedulingStrategy=a["scheduling_strategy"],
            deploymentConfiguration={
                "maximumPercent": a["deployment_maximum_percent"],
                "minimumHealthyPercent": a["deployment_minimum_healthy_percent"],
                "deploymentCircuitBreaker": a["deployment_circuit_breaker"][0],
            },
            deploymentController={"type": a["deployment_controller"][0]["type"]},
            networkConfiguration={"awsvpcConfiguration": {
                "subnets": subnets[:2], "securityGroups": [replaced[g] for g in network["security_groups"]],
                "assignPublicIp": "ENABLED" if network["assign_public_ip"] else "DISABLED"}},
            healthCheckGracePeriodSeconds=a["health_check_grace_period_seconds"],
            enableExecuteCommand=a["enable_execute_command"],
            tags=[{"key": k, "value": v} for k, v in a["tags"].items()],
        )["service"]
        replaced[a["id"]] = made["serviceArn"]
    for a in by_type("aws_eks_cluster"):
        vpc_config = a["vpc_config"][0]
        made = eks.create_cluster(
            name=a["name"], version=a["version"], roleArn=a["role_arn"],
            resourcesVpcConfig={"subnetIds": subnets[:2], "endpointPublicAccess": vpc_config["endpoint_public_access"],
                                "endpointPrivateAccess": vpc_config["endpoint_private_access"]},
            logging={"clusterLogging": [{"types": a["enabled_cluster_log_types"], "enabled": True}]}, tags=a["tags"],
        )["cluster"]
        replaced[a["endpoint"]] = made["endpoint"]
    for a in by_type("aws_eks_node_group"):
        scaling = a["scaling_config"][0]
        made = eks.create_nodegroup(
            clusterName=a["cluster_name"], nodegroupName=a["node_group_name"], nodeRole=a["node_role_arn"],
            subnets=subnets[:2], version=a["version"], instanceTypes=a["instance_types"], amiType=a["ami_type"],
            capacityType=a["capacity_type"], diskSize=a["disk_size"],
            scalingConfig={"minSize": scaling["min_size"], "maxSize": scaling["max_size"], "desiredSize": scaling["desired_size"]},
            tags=a["tags"],
        )["nodegroup"]
        replaced[a["arn"]] = made["nodegroupArn"]


def seed_terraform(endpoint, out_dir, accounts, drift, real=False):
    """The shop of the Terraform fixture states, each environment created on moto as its state describes it. The
    states, with moto's identifiers, go to OUT_DIR/ENV.tfstate and to s3://shop-tfstate/env:/ENV/shop.tfstate in
    an account of its own (profile tfstate). With `drift`, only prod is made, then changed by hand: a queue's
    visibility timeout changed, a queue created, a parameter deleted. Returns the tfstate profile's credentials."""
    here = __file__.rsplit("/", 1)[0]
    states = {}
    for env, account in accounts.items():
        if drift and env != "prod":
            continue  # Drift is prod's alone: staging is not made.
        with open(f"{here}/{(REAL_STATES if real else FIXTURE_STATES).format(env=env)}") as f:
            text = f.read()
        # Each environment in its own account, as the example's are.
        text = text.replace(REAL_ACCOUNT, account) if real else text
        states[env] = seed_from_state(clients(endpoint, account), json.loads(text))
    # The states' bucket is in an account of its own, as the S3 backend is usually set up.
    tooling = clients(endpoint, "444444444444")
    s3 = tooling("s3")
    s3.create_bucket(Bucket=STATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for env, text in states.items():
        with open(f"{out_dir}/{env}.tfstate", "w") as f:
            f.write(text)
        s3.put_object(Bucket=STATE_BUCKET, Key=f"env:/{env}/shop.tfstate", Body=text.encode())
    if drift:
        make = clients(endpoint, accounts["prod"])
        sqs, ssm = make("sqs"), make("ssm")
        url = sqs.get_queue_url(QueueName="jobs-prod-0")["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45"})
        sqs.create_queue(QueueName="jobs-prod-manual", tags={"Environment": "prod", "Team": "shop"})
        ssm.delete_parameter(Name="/shop/prod/LOG_LEVEL")
    key_id, secret = profile_keys(tooling, "envparity-tfstate")
    return f"[tfstate]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"


def main():
    endpoint, out_dir, scenario = sys.argv[1:4]
    options = sys.argv[4:]
    if scenario == "organization":
        per_env = int(next((o.split("=")[1] for o in options if o.startswith("accounts=")), "3"))
        seed_organization(endpoint, out_dir, per_env, planted_in=min(2, per_env - 1))
        return
    many_parameters = "many-parameters" in options
    accounts = {
        "two-accounts": {"staging": "111111111111", "prod": "222222222222"},
        "bench": {"staging": "111111111111", "prod": "222222222222"},
        "secrets": {"staging": "111111111111", "prod": "222222222222"},
        "one-account": {"staging": "333333333333", "prod": "333333333333"},
        "terraform": {"staging": "111111111111", "prod": "222222222222"},
        "terraform-drift": {"staging": "111111111111", "prod": "222222222222"},
        "terraform-real": {"staging": "111111111111", "prod": "222222222222"},
    }.get(scenario) or sys.exit(f"unknown scenario {scenario}")
    credentials, config = [], []
    if scenario.startswith("terraform"):
        drift, real = scenario == "terraform-drift", scenario == "terraform-real"
        credentials.append(seed_terraform(endpoint, out_dir, accounts, drift=drift, real=real))
        config.append(f"[profile tfstate]\nregion = {REGION}\n")
    for env, account in accounts.items():
        if scenario.startswith("terraform"):
            pass
        elif scenario == "bench":
            for region in ("eu-west-1", "us-east-1"):
                seed_bench(clients(endpoint, account, region), env, region)
        elif scenario == "secrets":
            seed_secrets(clients(endpoint, account), env)
        else:
            seed_env(clients(endpoint, account), env, many_parameters)
        key_id, secret = profile_keys(clients(endpoint, account), f"envparity-{env}")
        credentials.append(f"[{env}]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
        config.append(f"[profile {env}]\nregion = {REGION}\n")
    if "staging-reads-prod" in options:
        # The classic breach: staging's connection string names prod's database endpoint.
        db = clients(endpoint, accounts["prod"])("rds").describe_db_instances(DBInstanceIdentifier="orders-prod-db")
        host = db["DBInstances"][0]["Endpoint"]["Address"]
        clients(endpoint, accounts["staging"])("ssm").put_parameter(
            Name="/orders/staging/DATABASE_URL", Value=f"postgres://orders:hunter2@{host}:5432/orders", Type="String"
        )
    with open(f"{out_dir}/aws-credentials", "w") as f:
        f.write("\n".join(credentials))
    with open(f"{out_dir}/aws-config", "w") as f:
        f.write("\n".join(config))


if __name__ == "__main__":
    main()
