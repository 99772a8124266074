//! Sources beyond the cloud account: Docker Compose files (dev parity) and rendered Kubernetes manifests, read
//! without any AWS call.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use envparity_testkit::{copy_dir, report_row, report_rows, write};
use serde_json::{Value, json};

/// envparity in `dir`, with no AWS configuration within reach: a source that asked AWS would fail.
fn envparity(dir: &Path) -> Command {
    let mut cmd = envparity_testkit::envparity(dir);
    cmd.env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("ENVPARITY_FINGERPRINT_KEY", "sources-test-key-of-16-bytes");
    cmd
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Collects the example's dev environment (after `edit` of its files) and diffs it with the shipped prod
/// snapshot under dev-parity: (exit status, report).
/// Every local source wrote exactly its kinds' typed attributes.
fn assert_typed(snapshot: &str) {
    envparity_testkit::assert_typed(
        &envparity_model::snapshot::parse(snapshot.as_bytes(), "s.json".as_ref()).unwrap(),
    );
}

fn dev_parity(edit: impl FnOnce(&Path)) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repository().join("examples/dev"), dir.path());
    edit(dir.path());
    let collect = envparity(dir.path())
        .args(["collect", "dev", "--output", "dev.json"])
        .output()
        .unwrap();
    assert_eq!(
        collect.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&collect.stderr)
    );
    let prod = repository().join("snapshots/prod.json");
    let out = envparity(dir.path())
        .args([
            "diff",
            "dev.json",
            prod.to_str().unwrap(),
            "--policy",
            "dev-parity",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_example_compose_file_is_parity_with_prod_under_dev_parity() {
    let (code, report) = dev_parity(|_| {});
    assert_eq!(report_rows(&report), [], "{report:#}");
    assert_eq!((code, &report["summary"]["status"]), (Some(0), &json!("parity")));
    // Nothing pairs kind by kind; the three engines pair across providers, and the summary says so.
    assert_eq!(
        (&report["summary"]["paired"], &report["summary"]["engines_paired"]),
        (&json!(0), &json!(3))
    );
}

#[test]
fn redis_6_in_dev_against_elasticache_7_is_a_violation_naming_both() {
    let (code, report) = dev_parity(|dir| {
        let path = dir.join("docker-compose.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("redis:${REDIS_VERSION:-7}", "redis:6")).unwrap();
    });
    assert_eq!(code, Some(1));
    assert_eq!(
        report_rows(&report),
        [report_row(
            "engine-major-version",
            "aws.elasticache.replication_group",
            "sessions-{env}-redis",
            "engine_version",
            "error"
        )]
    );
    let finding = &report["findings"][0];
    assert_eq!(
        (&finding["staging"], &finding["prod"]),
        (&json!("6"), &json!("7.1"))
    );
    let detail = finding["detail"].as_str().unwrap();
    assert!(
        detail.contains("sessions-redis (compose.engine)") && detail.contains("sessions-prod-redis"),
        "{detail}"
    );
}

#[test]
fn an_engine_or_a_config_key_dev_lacks_is_reported() {
    let (code, report) = dev_parity(|dir| {
        let path = dir.join("docker-compose.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("  reporting-db:\n    image: postgres:16-alpine\n", ""),
        )
        .unwrap();
        let env = dir.join("app.env");
        let text = std::fs::read_to_string(&env).unwrap();
        std::fs::write(&env, text.replace("CACHE_TTL_SECONDS=5\n", "")).unwrap();
    });
    assert_eq!(code, Some(1));
    assert_eq!(
        report_rows(&report),
        [
            report_row(
                "engine-missing",
                "aws.rds.instance",
                "reporting-{env}-db",
                "",
                "error"
            ),
            report_row("config-key-missing", "config", "CACHE_TTL_SECONDS", "", "error"),
        ]
    );
}

/// The attributes of each service `collect dev` finds in the compose files written in `dir`.
fn compose_services(dir: &Path, files: &[(&str, &str)]) -> BTreeMap<String, Value> {
    for (name, text) in files {
        write(dir, name, text);
    }
    write(
        dir,
        "envparity.toml",
        "[environments.dev]\ncompose = [\"docker-compose.yml\"]\n",
    );
    envparity(dir)
        .args(["collect", "dev", "--output", "dev.json"])
        .assert()
        .code(0);
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("dev.json")).unwrap()).unwrap();
    snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "compose.service")
        .map(|r| (r["name"].as_str().unwrap().to_owned(), r["attributes"].clone()))
        .collect()
}

#[test]
fn compose_normal_forms_durations_command_strings_disabled_health_checks_optional_env_files_and_ports_once() {
    let dir = tempfile::tempdir().unwrap();
    let services = compose_services(
        dir.path(),
        &[(
            "docker-compose.yml",
            "services:\n  web:\n    image: web:1\n    command: npm run \"dev server\"\n\
             \x20   env_file: [{path: missing.env, required: false}]\n\
             \x20   ports: [\"8080:80\", {target: 80, published: \"8080\"}]\n\
             \x20   healthcheck: {test: [CMD, true], interval: 90s, timeout: 1m30s, start_period: 1m}\n\
             \x20 worker:\n    image: worker:1\n    healthcheck: {disable: true}\n\
             \x20 cron:\n    image: cron:1\n    healthcheck: {test: [NONE]}\n",
        )],
    );
    let web = &services["web"];
    assert_eq!(web["command"], json!(["npm", "run", "dev server"]));
    assert_eq!(web["ports"], json!(["8080:80/tcp"]));
    assert_eq!(
        (
            &web["healthcheck"]["interval"],
            &web["healthcheck"]["timeout"],
            &web["healthcheck"]["start_period"]
        ),
        (&json!("1m30s"), &json!("1m30s"), &json!("1m0s"))
    );
    assert_eq!(services["worker"]["healthcheck"], json!({"disable": true}));
    assert_eq!(services["cron"]["healthcheck"], json!({"disable": true}));
}

#[test]
fn dot_env_values_refer_to_the_variables_before_them_and_single_quotes_stay_literal() {
    let dir = tempfile::tempdir().unwrap();
    let services = compose_services(
        dir.path(),
        &[
            (
                ".env",
                "REGISTRY=registry.example.com\nTAG=2.1\nIMAGE=${REGISTRY}/api:${TAG}\nLITERAL='${TAG}'\n",
            ),
            (
                "docker-compose.yml",
                "services:\n  api:\n    image: ${IMAGE}\n    environment: {PINNED: \"${LITERAL}\"}\n",
            ),
        ],
    );
    let api = &services["api"];
    assert_eq!(
        api["image"],
        json!({"repository": "registry.example.com/api", "tag": "2.1", "digest": null})
    );
    assert_eq!(api["environment"]["PINNED"], "${TAG}");
}

/// Found by the corpus against docker-compose (sentry's self-hosted compose file does both).
#[test]
fn compose_bare_environment_names_take_dot_env_values_and_interpolated_retries_are_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let services = compose_services(
        dir.path(),
        &[
            (".env", "RETENTION_DAYS=90\nRETRIES=10\n"),
            (
                "docker-compose.yml",
                "services:\n  web:\n    image: web:1\n    environment: [RETENTION_DAYS, UNSET]\n\
                 \x20   healthcheck: {test: [CMD, true], retries: $RETRIES}\n",
            ),
        ],
    );
    let web = &services["web"];
    assert_eq!(web["environment"], json!({"RETENTION_DAYS": "90", "UNSET": ""}));
    assert_eq!(web["healthcheck"]["retries"], json!(10));
}

#[test]
fn compose_merge_tags_reset_and_override_and_depends_on_merges_by_service_in_either_form() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docker-compose.override.yml",
        "services:\n  api:\n    depends_on: {cache: {condition: service_healthy}}\n\
         \x20   environment: !override {ONLY: \"1\"}\n    ports: !reset []\n",
    );
    write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  api:\n    image: api:1\n    depends_on: [db]\n    environment: [A=1, B=2]\n    ports: [\"80:80\"]\n",
    );
    write(
        dir.path(),
        "envparity.toml",
        "[environments.dev]\ncompose = [\"docker-compose.yml\", \"docker-compose.override.yml\"]\n",
    );
    envparity(dir.path())
        .args(["collect", "dev", "--output", "dev.json"])
        .assert()
        .code(0);
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("dev.json")).unwrap()).unwrap();
    let api = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "api")
        .unwrap();
    assert_eq!(api["attributes"]["depends_on"], json!(["cache", "db"]));
    assert_eq!(api["attributes"]["environment_names"], json!(["ONLY"]));
    assert_eq!(api["attributes"]["ports"], json!(null));
}

#[test]
fn included_files_add_their_services_and_extended_or_included_files_read_env_files_from_their_own_folder() {
    let dir = tempfile::tempdir().unwrap();
    let services = compose_services(
        dir.path(),
        &[
            (
                "db/compose.yml",
                "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n",
            ),
            ("db/db.env", "POSTGRES_DB=shop\n"),
            (
                "sub/common.yaml",
                "services:\n  common:\n    image: base:1\n    env_file: [common.env]\n",
            ),
            ("sub/common.env", "SHARED=1\n"),
            (
                "docker-compose.yml",
                "include: [db/compose.yml]\nservices:\n  api:\n    extends: {file: sub/common.yaml, service: common}\n",
            ),
        ],
    );
    // The included database is there, not silently gone.
    assert_eq!(services["db"]["environment_names"], json!(["POSTGRES_DB"]));
    assert_eq!(services["api"]["environment_names"], json!(["SHARED"]));
    // A service both here and in an included file is an error, as in Compose.
    write(
        dir.path(),
        "docker-compose.yml",
        "include: [db/compose.yml]\nservices:\n  db:\n    image: postgres:15\n",
    );
    envparity(dir.path())
        .args(["collect", "dev", "--output", "dev.json"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "service db is defined both here and in the included db/compose.yml",
        ));
}

#[test]
fn a_compose_file_without_services_is_a_gap_naming_it_never_an_empty_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docker-compose.yml",
        "version: \"1\"\nweb:\n  image: web:1\n",
    );
    write(
        dir.path(),
        "envparity.toml",
        "[environments.dev]\ncompose = [\"docker-compose.yml\"]\n",
    );
    envparity(dir.path())
        .args(["collect", "dev", "--output", "dev.json"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("docker-compose.yml: no `services:`"));
}

#[test]
fn compose_files_merge_interpolate_extend_and_honour_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(".env", "WEB_TAG=2.1\n");
    write(
        "base.yml",
        "services:\n  common:\n    image: shop/common:1\n    environment: [SHARED=1]\n    healthcheck:\n      test: curl -f localhost\n",
    );
    write(
        "docker-compose.yml",
        "x-defaults: &defaults\n  restart: always\n  environment:\n    FROM_ANCHOR: \"yes\"\n\
         services:\n  web:\n    <<: *defaults\n    extends: { file: base.yml, service: common }\n    image: shop/web:${WEB_TAG}\n\
         \x20   ports:\n      - target: 80\n        published: \"8080\"\n    command: serve\n\
         \x20 cache:\n    image: valkey/valkey:${VALKEY:-8.0}\n\
         \x20 debug:\n    image: busybox\n    profiles: [debug]\n",
    );
    write(
        "docker-compose.override.yml",
        "services:\n  web:\n    ports: [\"9090:90/udp\"]\n    command: [serve, --verbose]\n",
    );
    write(
        "envparity.toml",
        "[environments.dev]\ncompose = [\"docker-compose.yml\", \"docker-compose.override.yml\"]\n",
    );
    envparity(dir.path())
        .args(["collect", "dev", "--output", "dev.json"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("dev.json")).unwrap();
    assert_typed(&text);
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    let resources = snapshot["resources"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = resources
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["name"].as_str().unwrap()))
        .collect();
    // The debug profile is not enabled; the common service of base.yml is not in this project.
    assert_eq!(
        kinds,
        [
            ("compose.engine", "cache"),
            ("compose.service", "cache"),
            ("compose.service", "web")
        ]
    );
    assert_eq!(
        resources[0]["attributes"],
        json!({"engine": "valkey", "engine_version": "8.0"})
    );
    let web = &resources[2]["attributes"];
    assert_eq!(
        web["image"],
        json!({"repository": "shop/web", "tag": "2.1", "digest": null})
    );
    assert_eq!(web["environment_names"], json!(["FROM_ANCHOR", "SHARED"]));
    assert_eq!(web["ports"], json!(["8080:80/tcp", "9090:90/udp"]));
    assert_eq!(web["command"], json!(["serve", "--verbose"]));
    assert_eq!(
        web["healthcheck"]["test"],
        json!(["CMD-SHELL", "curl -f localhost"])
    );
}

#[test]
fn a_missing_required_variable_is_a_gap_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  db:\n    image: postgres:${PG:?set PG}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("envparity.toml"),
        "[environments.dev]\ncompose = [\"docker-compose.yml\"]\n",
    )
    .unwrap();
    envparity(dir.path())
        .args(["collect", "dev", "--output", "dev.json"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "dev: compose compose: NOT COLLECTED: docker-compose.yml: required variable PG is missing: set PG",
        ));
}

/// Audits the manifest fixtures of staging and prod: (exit status, report, stderr).
fn manifests_audit(dir: &Path) -> (Option<i32>, Value, String) {
    copy_dir(&repository().join("tests/fixtures/manifests"), &dir.join("k8s"));
    audit_manifests_in(dir)
}

/// Audits the manifests under `k8s/staging/` and `k8s/prod/` in `dir`: (exit status, report, stderr).
fn audit_manifests_in(dir: &Path) -> (Option<i32>, Value, String) {
    std::fs::write(
        dir.join("envparity.toml"),
        "[environments.staging]\nkubernetes = [\"k8s/{env}/\"]\n\n[environments.prod]\nkubernetes = [\"k8s/{env}/\"]\n",
    )
    .unwrap();
    let out = envparity(dir)
        .args(["audit", "--snapshots", "s", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}")),
        stderr,
    )
}

/// A workload with an init container (migrations), a native sidecar and variables from a Secret under a prefix; a
/// Job; a Prometheus (a custom resource); and an Ingress of the old API: each environment's version, from
/// `[migrate tag, sidecar tag, prefix, retention]` and the Job's backoff limit.
fn workloads(env: &str, [migrate, proxy, prefix, retention]: [&str; 4], backoff: u32) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: shop-{env}}}
spec:
  template:
    spec:
      initContainers:
        - {{name: migrate, image: 'registry.example.com/api-migrate:{migrate}'}}
        - {{name: proxy, image: 'envoyproxy/envoy:{proxy}', restartPolicy: Always}}
      containers:
        - name: api
          image: registry.example.com/api:2.0.0
          envFrom:
            - {{prefix: {prefix}, secretRef: {{name: api-{env}-db}}}}
---
apiVersion: batch/v1
kind: Job
metadata: {{name: reindex, namespace: shop-{env}}}
spec:
  backoffLimit: {backoff}
  template:
    spec:
      containers: [{{name: reindex, image: 'registry.example.com/reindex:1.0'}}]
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {{name: main, namespace: shop-{env}}}
spec: {{retention: {retention}, externalUrl: 'https://prometheus.{env}.example.com'}}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {{name: api, namespace: shop-{env}}}
spec:
  rules:
    - host: api.{env}.example.com
      http:
        paths: [{{path: /, backend: {{serviceName: api, servicePort: 8080}}}}]
"
    )
}

#[test]
fn init_containers_native_sidecars_env_prefixes_jobs_and_old_ingresses_are_read_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    for (env, settings, backoff) in [
        ("staging", ["2.0.0", "v1.31", "DB_", "7d"], 3),
        ("prod", ["1.9.0", "v1.30", "DATABASE_", "30d"], 6),
    ] {
        write(
            dir.path(),
            &format!("k8s/{env}/all.yaml"),
            &workloads(env, settings, backoff),
        );
    }
    let (code, report, stderr) = audit_manifests_in(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    let rows: Vec<(String, String, String)> = report_rows(&report)
        .into_iter()
        .map(|(rule, _, key, field, _)| (rule, key, field))
        .collect();
    for expected in [
        (
            "container-image-tag",
            "shop-{env}/api",
            "containers.migrate.image.tag",
        ),
        (
            "container-image-tag",
            "shop-{env}/api",
            "containers.proxy.image.tag",
        ),
        ("job-setup", "shop-{env}/reindex", "backoff_limit"),
        // A custom resource's spec; its URL is the same once the environment's token is replaced.
        ("custom-resources", "shop-{env}/main", "spec.retention"),
    ] {
        let expected = (
            expected.0.to_owned(),
            expected.1.to_owned(),
            expected.2.to_owned(),
        );
        assert!(rows.contains(&expected), "{expected:?} in {rows:?}");
    }
    assert!(
        rows.iter()
            .any(|(_, key, field)| key == "shop-{env}/api" && field.starts_with("containers.api.env_from")),
        "{rows:?}"
    );
    let prod: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s/prod.json")).unwrap()).unwrap();
    let resource = |kind: &str| {
        prod["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap()
            .clone()
    };
    let api = resource("k8s.deployment");
    assert_eq!(api["attributes"]["containers"]["migrate"]["role"], "init");
    assert_eq!(api["attributes"]["containers"]["proxy"]["role"], "sidecar");
    assert_eq!(api["attributes"]["containers"]["api"].get("role"), None);
    assert_eq!(
        api["attributes"]["containers"]["api"]["env_from"],
        json!(["secretRef:api-{env}-db prefix DATABASE_"])
    );
    assert_eq!(
        resource("k8s.ingress")["attributes"]["rules"],
        json!(["/ -> api:8080"])
    );
    assert_eq!(resource("k8s.job")["attributes"]["backoff_limit"], 6);
}

#[test]
fn overlays_apart_in_image_tag_config_map_key_and_readiness_probe_are_reported_and_replicas_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report, stderr) = manifests_audit(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        report_rows(&report),
        [
            report_row(
                "config-map-keys",
                "k8s.configmap",
                "shop-{env}/web-config",
                "keys",
                "error"
            ),
            report_row(
                "pod-shape",
                "k8s.deployment",
                "shop-{env}/web",
                "containers.web.probes.readiness.target.path",
                "error"
            ),
            report_row(
                "container-image-tag",
                "k8s.deployment",
                "shop-{env}/web",
                "containers.web.image.tag",
                "warning"
            ),
        ]
    );
    // Replicas 2 against 12, HPA bounds and smaller requests are staging being smaller: no finding. The
    // namespace, the service account and the definition of a custom resource are plumbing, not audited, and say
    // so; the ServiceMonitor of a List is a custom resource, audited (alike on both sides).
    assert_eq!(
        report["coverage"]["prod"]["unaudited"],
        json!({
            "CustomResourceDefinition.apiextensions.k8s.io": 1,
            "Namespace": 1,
            "ServiceAccount": 1,
        })
    );
    assert_eq!(
        report["coverage"]["prod"]["audited"]["k8s.custom.monitoring.coreos.com/ServiceMonitor"], 1,
        "{report:#}"
    );
    let snapshot = std::fs::read_to_string(dir.path().join("s/prod.json")).unwrap();
    assert_typed(&snapshot);
    assert!(!snapshot.contains("canary-db-prod"), "a Secret's value leaked");
    let prod: Value = serde_json::from_str(&snapshot).unwrap();
    let web = prod["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "k8s.deployment")
        .unwrap();
    assert_eq!(
        web["attributes"]["containers"]["web"]["resources"],
        json!({"requests": {"cpu": 1000, "memory": 2147483648u64}, "limits": {"memory": 2147483648u64}})
    );
}

#[test]
fn an_unrendered_template_a_broken_manifest_or_a_setting_of_the_wrong_type_is_a_gap_naming_the_file() {
    for (text, expected) in [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
            "k8s/staging/bad.yaml: document 1: key must be a string (a template left unrendered?",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"{{ .Release.Name }}\"\n",
            "is an unrendered template",
        ),
        (
            "{{- if .Values.enabled }}\napiVersion: v1\nkind: [\n",
            "k8s/staging/bad.yaml: not valid YAML",
        ),
        // A setting of another type than the API server takes: a gap, never a value of the wrong type stored.
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n",
            "Deployment default/web: replicas is not an integer",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: [LoadBalancer]\n",
            "Service default/web: type is not a string",
        ),
        (
            "apiVersion: evil<b>.example.com/v1\nkind: Thing\nmetadata:\n  name: web\n",
            "apiVersion and kind are not a custom resource's API group and kind",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (code, report, stderr) = {
            copy_dir(
                &repository().join("tests/fixtures/manifests"),
                &dir.path().join("k8s"),
            );
            std::fs::write(dir.path().join("k8s/staging/bad.yaml"), text).unwrap();
            std::fs::write(
                dir.path().join("envparity.toml"),
                "[environments.staging]\nkubernetes = [\"k8s/{env}/\"]\n\n[environments.prod]\nkubernetes = [\"k8s/{env}/\"]\n",
            )
            .unwrap();
            let out = envparity(dir.path())
                .args(["audit", "--snapshots", "s", "--format", "json"])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            (
                out.status.code(),
                serde_json::from_slice::<Value>(&out.stdout).unwrap(),
                stderr,
            )
        };
        assert_eq!(code, Some(3), "{stderr}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        assert_eq!(report["summary"]["status"], "incomplete");
    }
}

/// The cases of the leak report: passwords interpolated from `.env` into Compose's `command`, `entrypoint` and a
/// health check's `test`, a Kubernetes container's `args`, `command` and exec probe, a ConfigMap value that is a
/// whole properties file, and a `.env` line without `=` whose text an error used to quote. None reaches the
/// snapshot, stderr or any report format; what surrounds each password still does.
#[test]
fn passwords_inside_commands_probes_and_config_files_reach_no_snapshot_or_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for env in ["staging", "prod"] {
        let env_dir = d.join(env);
        std::fs::create_dir_all(&env_dir).unwrap();
        std::fs::write(
            env_dir.join(".env"),
            format!("REDIS_PASSWORD=Zq7xRedis{env}\nMYSQL_ROOT_PASSWORD=RootPw{env}9\n"),
        )
        .unwrap();
        std::fs::write(
            env_dir.join("compose.yaml"),
            r#"services:
  cache:
    image: redis:7
    command: redis-server --requirepass ${REDIS_PASSWORD} --appendonly yes
  db:
    image: mysql:8.0
    entrypoint: ["docker-entrypoint.sh", "--password=${MYSQL_ROOT_PASSWORD}"]
    healthcheck:
      test: ["CMD", "mysqladmin", "ping", "-h", "localhost", "-p${MYSQL_ROOT_PASSWORD}"]
"#,
        )
        .unwrap();
        std::fs::write(
            env_dir.join("app.yaml"),
            format!(
                r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  template:
    spec:
      containers:
        - name: web
          image: shop/web:1.0
          command: ["sh", "-c", "PGPASSWORD=K8sCmd{env}7 psql -h db"]
          args: ["--db-password=K8sArg{env}7"]
          livenessProbe:
            exec: {{command: ["redis-cli", "-a", "K8sProbe{env}7", "ping"]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: web-config, namespace: shop}}
data:
  application.properties: |
    server.port=8080
    spring.datasource.password=CmProps{env}7
"#
            ),
        )
        .unwrap();
    }
    std::fs::write(d.join("staging/broken.env"), "DB_PASSWORD LineLeak7\n").unwrap();
    std::fs::write(
        d.join("envparity.toml"),
        r#"[environments.staging]
compose = ["staging/compose.yaml"]
kubernetes = ["staging/app.yaml"]
config_files = ["staging/broken.env"]

[environments.prod]
compose = ["prod/compose.yaml"]
kubernetes = ["prod/app.yaml"]
"#,
    )
    .unwrap();
    let mut outputs = Vec::new();
    for format in ["table", "json", "markdown", "sarif", "junit", "html"] {
        let out = envparity(d)
            .args(["audit", "--snapshots", "out", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "the broken .env is a gap");
        outputs.push(String::from_utf8(out.stdout).unwrap());
        outputs.push(String::from_utf8(out.stderr).unwrap());
    }
    for env in ["staging", "prod"] {
        outputs.push(std::fs::read_to_string(d.join(format!("out/{env}.json"))).unwrap());
    }
    for out in &outputs {
        for env in ["staging", "prod"] {
            for secret in ["Zq7xRedis", "RootPw", "K8sCmd", "K8sArg", "K8sProbe", "CmProps"] {
                assert!(
                    !out.contains(&format!("{secret}{env}")),
                    "{secret}{env} in:\n{out}"
                );
            }
        }
        assert!(!out.contains("LineLeak7"), "{out}");
    }
    let staging = std::fs::read_to_string(d.join("out/staging.json")).unwrap();
    for kept in [
        "redis-server --requirepass <redacted> --appendonly yes",
        "CMD mysqladmin ping -h localhost -p<redacted>",
        "spring.datasource.password=<redacted>",
        "broken.env: line 1: expected NAME=VALUE",
    ] {
        assert!(staging.contains(kept), "{kept} not in {staging}");
    }
}

/// Collects `env` of the config in `dir` into `out.json`, with a canary in the process environment and at most 30
/// seconds: (exit status, snapshot text, stderr).
fn collect_with_canary(dir: &Path, env: &str) -> (Option<i32>, String, String) {
    let out = envparity(dir)
        .env("VAULT_TOKEN", "CanaryVaultToken7")
        .args(["collect", env, "--output", "out.json"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let snapshot = std::fs::read_to_string(dir.join("out.json")).unwrap_or_default();
    (
        out.status.code(),
        snapshot,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every way the leak report had a repository copy the collector's own environment out, or hang or fill memory
/// through a file it names: `env_file` at `/proc/self/environ`, at `/dev/zero` and outside the repository, a
/// committed symlink to `/proc/self/environ` as a config file, a FIFO named like a manifest. Each is a gap naming
/// the file and the reason, within seconds, and the environment's canary reaches neither snapshot nor stderr.
#[test]
fn files_outside_the_config_folder_proc_devices_and_fifos_are_refused_gaps_never_read() {
    let base = tempfile::tempdir().unwrap();
    let d = base.path().join("repo");
    std::fs::create_dir_all(d.join("config/prod")).unwrap();
    std::fs::write(base.path().join("x.env"), "OUTSIDE=CanaryOutside7\n").unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", d.join("config/prod/.env")).unwrap();
    let fifo = d.join("x.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (name, env_file) in [
        ("proc", "/proc/self/environ"),
        ("zero", "/dev/zero"),
        ("outside", "../x.env"),
    ] {
        std::fs::write(
            d.join(format!("{name}.yaml")),
            format!("services:\n  web:\n    image: shop/web:1\n    env_file: [{env_file}]\n"),
        )
        .unwrap();
    }
    std::fs::write(
        d.join("envparity.toml"),
        r#"[environments.proc]
compose = ["proc.yaml"]
[environments.zero]
compose = ["zero.yaml"]
[environments.outside]
compose = ["outside.yaml"]
[environments.link]
config_files = ["config/prod/.env"]
[environments.fifo]
kubernetes = ["x.yaml"]
"#,
    )
    .unwrap();
    for (env, reason) in [
        ("proc", "/proc/self/environ: refused: it resolves to /proc/"),
        (
            "zero",
            "/dev/zero: refused: it resolves to /dev/zero, in a system folder that is never read",
        ),
        ("outside", "../x.env: refused: it resolves to "),
        ("link", "config/prod/.env: refused: it resolves to /proc/"),
        ("fifo", "x.yaml: refused: not a regular file but a FIFO"),
    ] {
        let started = std::time::Instant::now();
        let (code, snapshot, stderr) = collect_with_canary(&d, env);
        assert_eq!(code, Some(3), "{env}: {stderr}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{env}");
        assert!(snapshot.contains(reason), "{env}: {reason} not in {snapshot}");
        for canary in ["CanaryVaultToken7", "CanaryOutside7", "ENVPARITY_FINGERPRINT_KEY"] {
            assert!(
                !snapshot.contains(canary) && !stderr.contains(canary),
                "{env}: {canary}"
            );
        }
    }
    // Listed in the allowance, the file outside is read.
    std::fs::write(
        d.join("envparity.toml"),
        "[collect]\nread_outside = [\"../x.env\"]\n[environments.outside]\ncompose = [\"outside.yaml\"]\n",
    )
    .unwrap();
    let (code, snapshot, stderr) = collect_with_canary(&d, "outside");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(snapshot.contains("OUTSIDE"), "{snapshot}");
}

/// A policy naming `/proc/self/environ` (or any file that is not a `.rego` module, or one outside the policy's
/// folder) as a Rego module is a located error naming it, and the parser never quotes the environment onto stderr.
#[test]
fn a_rego_module_at_proc_self_environ_or_outside_the_policy_folder_is_refused_without_quoting_it() {
    let base = tempfile::tempdir().unwrap();
    let d = base.path().join("policies");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        base.path().join("outside.rego"),
        "package x\nCanaryOutside7 := 1\n",
    )
    .unwrap();
    for (rego, reason) in [
        ("/proc/self/environ", "a Rego module's name ends in `.rego`"),
        ("../outside.rego", "outside the folder of the policy"),
    ] {
        std::fs::write(
            d.join("policy.toml"),
            format!("[policy]\nname = \"p\"\nrego = [{rego:?}]\n"),
        )
        .unwrap();
        let out = envparity(&d)
            .env("VAULT_TOKEN", "CanaryVaultToken7")
            .args(["policy", "check", "policy.toml"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("Canary"), "{stderr}");
    }
}

/// 100,000 nested flow collections in a 200 KB file took libyaml minutes (its scanner is quadratic in the depth)
/// before the parser's recursion limit: a Compose file, a manifest and a YAML config file that deep are each a gap
/// naming the line, within seconds.
#[test]
fn yaml_nested_100000_deep_is_a_gap_within_seconds_in_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(
        d.join("compose.yaml"),
        format!("services:\n  web:\n    image: x\n    labels: {deep}\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("k8s.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: {deep}\n"),
    )
    .unwrap();
    std::fs::write(d.join("config.yaml"), format!("a: {deep}\n")).unwrap();
    std::fs::write(
        d.join("envparity.toml"),
        "[environments.compose]\ncompose = [\"compose.yaml\"]\n[environments.k8s]\nkubernetes = [\"k8s.yaml\"]\n\
         [environments.config]\nconfig_files = [\"config.yaml\"]\n",
    )
    .unwrap();
    for (env, line) in [("compose", 4), ("k8s", 4), ("config", 1)] {
        let started = std::time::Instant::now();
        let (code, snapshot, stderr) = collect_with_canary(d, env);
        assert_eq!(code, Some(3), "{env}: {stderr}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{env}: {:?}",
            started.elapsed()
        );
        assert!(
            snapshot.contains(&format!("line {line}: collections nested deeper than 128 levels")),
            "{env}: {snapshot}"
        );
    }
}

/// An audit kept in a history draws the unwaived findings of its last runs as a trend, in the HTML report.
#[test]
fn an_audit_with_a_history_draws_the_trend_of_its_runs_in_the_html_report() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "staging/docker-compose.yml",
        "services:\n  db:\n    image: postgres:15\n",
    );
    write(
        dir.path(),
        "prod/docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    write(
        dir.path(),
        "envparity.toml",
        "[environments.staging]\ncompose = [\"staging/docker-compose.yml\"]\n\n\
         [environments.prod]\ncompose = [\"prod/docker-compose.yml\"]\n",
    );
    // Two earlier runs in the history.
    for (time, errors) in [("2026-11-29T06-00-00Z", 4), ("2026-11-30T06-00-00Z", 2)] {
        write(
            dir.path(),
            &format!("history/reports/{time}.json"),
            &json!({"prod": {"collected_at": time.replace("T06-00-00Z", "T06:00:00Z")},
                    "summary": {"errors": errors, "warnings": 1, "incomplete": 0}})
            .to_string(),
        );
    }
    envparity(dir.path())
        .args([
            "audit",
            "--history",
            "history",
            "--format",
            "json",
            "--output",
            "report.json",
        ])
        .args(["--report", "html=report.html"])
        .assert()
        .code(0);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let trend = report["trend"].as_array().unwrap();
    let errors: Vec<&Value> = trend.iter().map(|p| &p["errors"]).collect();
    assert_eq!(errors.len(), 3, "{trend:?}");
    assert_eq!((errors[0], errors[1]), (&json!(4), &json!(2)));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("<h2>Trend</h2>") && html.contains("<svg id=\"trend\""),
        "{html}"
    );
    assert!(html.contains("unwaived findings of the last 3 runs, 2026-11-29T06:00:00Z to "));
    let errors_line = html.split("class=\"trend-errors\"").nth(1).unwrap();
    let points = errors_line
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(points.split(' ').count(), 3, "{points}");

    // The next audit takes the trend from the newest report alone: the older reports are not read again.
    for time in ["2026-11-29T06-00-00Z", "2026-11-30T06-00-00Z"] {
        std::fs::remove_file(dir.path().join(format!("history/reports/{time}.json"))).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    envparity(dir.path())
        .args([
            "audit",
            "--history",
            "history",
            "--format",
            "json",
            "--output",
            "report.json",
        ])
        .assert()
        .code(0);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let errors: Vec<&Value> = report["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["errors"])
        .collect();
    assert_eq!(errors.len(), 4, "{report}");
    assert_eq!((errors[0], errors[1]), (&json!(4), &json!(2)));
}

/// Found by the corpus (its `include` case): an included project reads its paths from its `project_directory`
/// and interpolates with its `env_file`, where the including project sets no such variable.
#[test]
fn an_include_entry_is_a_project_with_its_own_directory_and_env_file() {
    let dir = tempfile::tempdir().unwrap();
    let services = compose_services(
        dir.path(),
        &[
            ("cache.env", "TAG=7.2\n"),
            (
                "cache/compose.yaml",
                "services:\n  cache:\n    image: redis:${TAG}\n    env_file: settings.env\n",
            ),
            ("shared/settings.env", "MAXMEMORY=256mb\n"),
            (
                "docker-compose.yml",
                "include:\n  - path: [cache/compose.yaml]\n    project_directory: shared\n    env_file: cache.env\n\
                 services:\n  api:\n    image: api:1\n",
            ),
        ],
    );
    let cache = &services["cache"];
    assert_eq!(cache["image"]["tag"], "7.2");
    assert_eq!(cache["environment"], json!({"MAXMEMORY": "256mb"}));
}
