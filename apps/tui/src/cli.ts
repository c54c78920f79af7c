#!/usr/bin/env node
console.log("tinylm: work in progress");
