"""moto's server, with what moto 5.2.5 answers wrongly for the AWS SDK for Rust put right.

    python moto_server.py -H 127.0.0.1 -p PORT

- Amazon's public AMIs are not loaded: moto spends about a second per (account, region) loading them, and
  the seed makes its own images from any AMI id (moto does not check them).
- The server ends when the process that started it does: the tests share seeded servers and never stop them.
- GetBucketVersioning answers `<GetBucketVersioningResponse>` where S3 answers `<VersioningConfiguration>`: boto3
  reads either, the Rust SDK refuses the first (an invalid XML root). Answered here as S3 does.

Test infrastructure only: envparity's own code never works around moto.
"""

import os
import sys
import threading
import time

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from moto.s3.responses import S3Response
from moto.server import main


def get_bucket_versioning(self):
    status = self.backend.get_bucket_versioning(self.bucket_name)
    inner = f"<Status>{status}</Status>" if status else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{inner}</VersioningConfiguration>'
    )
    return 200, {}, body


S3Response.get_bucket_versioning = get_bucket_versioning


def exit_with_parent():
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)

if __name__ == "__main__":
    threading.Thread(target=exit_with_parent, daemon=True).start()
    sys.exit(main())
