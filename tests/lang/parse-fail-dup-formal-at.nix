x@{ y, x }: x
