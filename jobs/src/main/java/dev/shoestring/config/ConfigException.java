package dev.shoestring.config;

/** A configuration problem found at start-up; the message names the key. */
public class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String message) {
        super(key == null ? message : "config key '" + key + "': " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
