/** The example is a module, so its build checks that Spindle's descriptor exports what it uses. */
module org.example.echo {
    requires dev.spindle.core;
}
