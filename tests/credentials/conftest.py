import pytest

from portal.accounts.roles import Role

# Distinctive values, so a test can tell they never leave the database encrypted.
PG_PASSWORD = "pg-Pa55word/With:Specials@"
PG_HOST = "pg-host-only-in-ciphertext.internal"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SSH_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDexampleexampleexampleexampleexampleexampleAAAAAAAAAAAAAA==\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)
KUBE_TOKEN = "kube-token-eyJhbGciOiJSUzI1NiIsImtpZCI6Ijk4NzY1In0"
KUBECONFIG = f"""apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {{server: "https://k8s.example.internal:6443"}}
users:
- name: deployer
  user: {{token: {KUBE_TOKEN}}}
contexts:
- name: prod
  context: {{cluster: prod, user: deployer}}
current-context: prod
"""
ENV_TOKEN = "ghp_envTokenValue1234567890abcdef"
RABBIT_PASSWORD = "rabbit-Pa55:word/%"
GIT_TOKEN = "glpat-gitTokenValue0987654321"
GIT_SSH_KEY = SSH_KEY.replace("example", "gitkey1")

MATERIAL = {
    "postgresql": {"host": PG_HOST, "port": "5433", "user": "admin", "password": PG_PASSWORD},
    "aws": {
        "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": AWS_SECRET,
        "region": "eu-west-3",
    },
    "ssh": {"username": "deploy", "private_key": SSH_KEY},
    "kubeconfig": {"kubeconfig": KUBECONFIG},
    "env": {"variables": {"GITHUB_TOKEN": ENV_TOKEN, "PLAIN_NAME": "another-secret-value"}},
    "rabbitmq": {
        "host": "mq.internal",
        "user": "admin",
        "password": RABBIT_PASSWORD,
        "node": "rabbit@mq1",
    },
    "git": {"token": GIT_TOKEN, "username": "oauth2", "private_key": GIT_SSH_KEY},
}
SSH_KEY_LINE = SSH_KEY.splitlines()[1]
GIT_SSH_KEY_LINE = GIT_SSH_KEY.splitlines()[2]
SECRETS = [
    PG_PASSWORD,
    PG_HOST,
    AWS_SECRET,
    KUBE_TOKEN,
    ENV_TOKEN,
    RABBIT_PASSWORD,
    SSH_KEY_LINE,
    GIT_TOKEN,
    GIT_SSH_KEY_LINE,
]


@pytest.fixture
def platform(member):
    return member(Role.PLATFORM_ENGINEER)


@pytest.fixture
def credential(team):
    from tests.factories import CredentialFactory

    return CredentialFactory(team=team, name="prod-db", material=MATERIAL["postgresql"])
