package main

// maxrssUnit: getrusage's ru_maxrss is in bytes on macOS.
const maxrssUnit = 1
