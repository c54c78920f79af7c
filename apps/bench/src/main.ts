console.log("bench: work in progress");
