# Nothing to build: fwcert is used from the host (apt install ./fwcert_*.deb).
