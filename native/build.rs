fn main() {
    // Node provides the N-API symbols at load time; this sets the link flags that allow it.
    napi_build::setup();
}
