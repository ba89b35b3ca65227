package dev.abtest.starter.http;

/**
 * A success that is not finished: a handler returns it to answer 202 with {@code
 * {"success":true,"data":...}} (a scheduled activation), where a plain value answers 200.
 */
public record Accepted(Object data) {}
