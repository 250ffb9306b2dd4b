// BlueZTransport: see Package.swift (in progress).
