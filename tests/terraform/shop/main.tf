terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

# The shop of envparity's Terraform conformance test, one workspace per environment (staging, prod), applied to a
# moto server by scripts/terraform-reference: the states it writes are tests/terraform/states/.

variable "endpoint" {
  description = "The moto server every AWS service is reached at."
  type        = string
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true
  endpoints {
    sqs            = var.endpoint
    sns            = var.endpoint
    ssm            = var.endpoint
    s3             = var.endpoint
    dynamodb       = var.endpoint
    secretsmanager = var.endpoint
    iam            = var.endpoint
    ec2            = var.endpoint
    elbv2          = var.endpoint
    autoscaling    = var.endpoint
    sts            = var.endpoint
  }
  default_tags {
    tags = { Environment = terraform.workspace, Team = "shop" }
  }
}

locals {
  env  = terraform.workspace
  prod = terraform.workspace == "prod"
}

resource "aws_sqs_queue" "jobs" {
  count                      = 2
  name                       = "jobs-${local.env}-${count.index}"
  visibility_timeout_seconds = count.index == 1 && local.prod ? 180 : 30
  receive_wait_time_seconds  = 20
}

resource "aws_sns_topic" "events" {
  name              = "orders-${local.env}-events"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "jobs" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.jobs[0].arn
}

resource "aws_ssm_parameter" "db_url" {
  name  = "/shop/${local.env}/DATABASE_URL"
  type  = "SecureString"
  value = "postgres://orders:Sh4red-Secret-Pw@orders-db.internal:5432/orders"
}

resource "aws_ssm_parameter" "log_level" {
  name  = "/shop/${local.env}/LOG_LEVEL"
  type  = "String"
  value = "info"
}

resource "aws_s3_bucket" "assets" {
  bucket = "shop-${local.env}-assets"
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id
  versioning_configuration {
    status = local.prod ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = aws_s3_bucket.assets.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_dynamodb_table" "carts" {
  name                        = "carts-${local.env}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "cart_id"
  deletion_protection_enabled = local.prod
  attribute {
    name = "cart_id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = local.prod
  }
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

resource "aws_secretsmanager_secret" "payments" {
  name                    = "shop/${local.env}/payments"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "payments" {
  secret_id     = aws_secretsmanager_secret.payments.id
  secret_string = local.prod ? "sk_live_51ProdPaymentsKey00000000000" : "sk_test_51StagingPaymentsKey0000000"
}

resource "aws_iam_role" "app" {
  name                 = "shop-${local.env}-app"
  max_session_duration = local.prod ? 7200 : 3600
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

data "aws_vpc" "default" { default = true }
data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}
resource "aws_security_group" "alb" {
  name   = "shop-${local.env}-alb-sg"
  vpc_id = data.aws_vpc.default.id
}
resource "aws_launch_template" "web" {
  name          = "shop-web-${local.env}-lt"
  image_id      = "ami-12c6146b"
  instance_type = local.prod ? "m6i.xlarge" : "m6i.large"
  metadata_options {
    http_tokens = "required"
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 30
      volume_type = "gp3"
      encrypted   = true
    }
  }
}
resource "aws_instance" "bastion" {
  ami                    = "ami-12c6146b"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.alb.id]
  metadata_options {
    http_tokens = "required"
  }
  tags = { Name = "bastion-${local.env}" }
}
resource "aws_lb_target_group" "web" {
  name     = "shop-web-${local.env}-tg"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.default.id
  health_check {
    path     = "/healthz"
    interval = local.prod ? 30 : 10
    matcher  = "200"
  }
}
resource "aws_lb" "web" {
  name               = "shop-${local.env}-alb"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = slice(data.aws_subnets.default.ids, 0, 2)
  idle_timeout       = local.prod ? 120 : 60
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
resource "aws_autoscaling_group" "web" {
  name               = "shop-web-${local.env}-asg"
  min_size           = local.prod ? 3 : 1
  max_size           = local.prod ? 6 : 2
  desired_capacity   = local.prod ? 3 : 1
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  target_group_arns  = [aws_lb_target_group.web.arn]
  health_check_type  = "ELB"
  launch_template {
    id      = aws_launch_template.web.id
    version = "$Default"
  }
}
