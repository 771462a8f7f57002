"""Production mode: a push from another process reaches a consumer here through Redis."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from channels.layers import get_channel_layer
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def test_push_from_another_process_arrives_through_redis(redis_url):
    from channels import layers

    redis_layer = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}}
    with override_settings(CHANNEL_LAYERS=redis_layer):
        layers.channel_layers.backends.clear()

        async def scenario():
            layer = get_channel_layer()
            channel = await layer.new_channel()
            group = f"user.{os.getpid()}.crossprocess"
            await layer.group_add(group, channel)
            code = (
                "from oms_project.lib.realtime import group_send\n"
                f"group_send({group!r}, {{'type': 'probe', 'from': 'worker'}})"
            )
            env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "oms_project.settings"}
            env.setdefault("SECRET_KEY", "test-secret")
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "manage.py", "shell", "-c", code, cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            _, stderr = await proc.communicate()
            assert proc.returncode == 0, stderr.decode()
            message = await asyncio.wait_for(layer.receive(channel), timeout=5)
            await layer.group_discard(group, channel)
            return message

        try:
            assert asyncio.run(scenario()) == {"type": "probe", "from": "worker"}
        finally:
            layers.channel_layers.backends.clear()
