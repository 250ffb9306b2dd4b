// BLEGATT: see Package.swift for its role (in progress).
