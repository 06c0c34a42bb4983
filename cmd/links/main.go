package main

import "os"

func main() {
	ignoreSIGPIPE()
	os.Exit(Main(os.Args[1:]))
}
