module sampleapp

go 1.24

require api v0.0.0

replace api => ../../opensdk/go
