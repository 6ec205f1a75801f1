"""python -m koan_mcp_client list | call TOOL key=value …"""
import sys

from .cli import main

sys.exit(main())
