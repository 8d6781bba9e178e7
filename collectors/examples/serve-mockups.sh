#!/usr/bin/env bash
# Serves recorded devices on loopback so a collector can be tried with no hardware:
#   DMTF Redfish mockups on 127.0.0.1:18001 (rackmount server), :18002 (liquid-cooled server),
#   :18003 (cooling unit), :18004 (rack PDU), :18005 (power shelf), :18006 (telemetry service),
#   :18007 (blade enclosure); Vigil's own fixtures, copied to .vigil/mockups so they can be edited while served,
#   on :18008 (NVIDIA GB300 compute tray: HGX GPUs, leak detectors), :18009 (NVL rack power shelf), :18010 (a
#   tray's leak detectors in NVIDIA's layout), :18011 and :18012 (Delta- and Lite-On-style NVL shelves);
#   dcgm-exporter scrapes on :19400 (8x H100) and :19401 (L4).
# Usage: collectors/examples/serve-mockups.sh TESTDATA-DIR     (e.g. ../shared/testdata)
# Then:  ./vigil collect --config collectors/examples/mockups.yaml --once --output -
set -euo pipefail
if [ $# -ne 1 ] || [ ! -d "$1/redfish/dmtf" ]; then
  echo "Usage: $0 TESTDATA-DIR   (the folder holding redfish/dmtf/ and dcgm-exporter/scrapes/)" >&2
  exit 2
fi
data="$(cd "$1" && pwd)"
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$home"
if [ ! -f launcher/target/vigil-launcher.jar ]; then
  ./mvnw -B -q -DskipTests package
fi
exec java -cp "launcher/target/vigil-launcher.jar:launcher/target/lib/*" io.vigil.collectors.mockup.MockupServer "$data"
