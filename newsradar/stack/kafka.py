"""A single-node Apache Kafka 4.x broker in KRaft mode on loopback."""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from pathlib import Path

from newsradar.settings import Settings
from newsradar.stack import maven
from newsradar.stack.errors import StackError
from newsradar.stack.java import find_java
from newsradar.stack.process import Service, port_open, wait_until

LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
"""


class KafkaBroker:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.host, self.port = settings.kafka_host_port
        self.dir = settings.home / "kafka"
        self.data = self.dir / "data"
        self.service = Service("kafka", self.dir / "kafka.pid", settings.logs / "kafka.log")

    @property
    def libs(self) -> Path:
        return self.s.cache / "maven" / f"kafka-{self.s.kafka_version}"

    def download(self) -> Path:
        coordinates = [
            ("org.apache.kafka", "kafka_2.13", self.s.kafka_version),
            ("org.slf4j", "slf4j-api", "2.0.16"),
            ("org.apache.logging.log4j", "log4j-slf4j2-impl", "2.24.3"),
            ("org.apache.logging.log4j", "log4j-core", "2.24.3"),
        ]
        return maven.copy_dependencies(self.libs, coordinates, "kafka-local")

    def _java(self) -> Path:
        return find_java(17)

    def _write_config(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        props = self.dir / "server.properties"
        ctl = self.s.kafka_controller_port
        props.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@{self.host}:{ctl}",
                    f"listeners=PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{ctl}",
                    f"advertised.listeners=PLAINTEXT://{self.host}:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={self.data}",
                    "num.partitions=1",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=8",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=false",
                    "log.retention.check.interval.ms=60000",
                    "",
                ]
            )
        )
        (self.dir / "log4j2.properties").write_text(LOG4J2.format(level="INFO"))
        return props

    def _env(self, java_home: Path) -> dict[str, str]:
        env = dict(os.environ)
        env["JAVA_HOME"] = str(java_home)
        return env

    def _format(self, java: Path, props: Path) -> None:
        if (self.data / "meta.properties").exists():
            return
        self.data.mkdir(parents=True, exist_ok=True)
        cluster_id = _kafka_uuid()
        proc = subprocess.run(
            [
                str(java / "bin" / "java"),
                "-cp",
                f"{self.libs}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(props),
                "--ignore-formatted",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise StackError(f"formatting Kafka storage failed:\n{proc.stdout}{proc.stderr}")

    def running(self) -> bool:
        return self.service.pid() is not None

    def ready(self) -> bool:
        return port_open(self.host, self.port)

    def start(self) -> str:
        if self.running():
            wait_until(self.ready, self.s.start_timeout_s, "Kafka", log_file=self.service.log_file)
            return "already running"
        for port in (self.port, self.s.kafka_controller_port):
            if port_open(self.host, port):
                raise StackError(
                    f"port {self.host}:{port} is taken by another process; stop it or move "
                    "Kafka with NEWSRADAR_KAFKA_BOOTSTRAP / NEWSRADAR_KAFKA_CONTROLLER_PORT"
                )
        self.download()
        java = self._java()
        props = self._write_config()
        self._format(java, props)
        args = [
            str(java / "bin" / "java"),
            f"-Xms{self.s.kafka_heap}",
            f"-Xmx{self.s.kafka_heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
            "-cp",
            f"{self.libs}/*",
            "kafka.Kafka",
            str(props),
        ]
        self.service.start(args, self._env(java), cwd=self.dir)
        wait_until(
            self.ready,
            self.s.start_timeout_s,
            "Kafka",
            alive=self.running,
            log_file=self.service.log_file,
        )
        return "started"

    def stop(self) -> str:
        return "stopped" if self.service.stop() else "not running"


def _kafka_uuid() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
