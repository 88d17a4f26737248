namespace EmbeddedIdp;

/// <summary>
/// A public type in this assembly so tests can host it with <c>WebApplicationFactory&lt;EntryPoint&gt;</c>:
/// every service's top-level <c>Program</c> is in the global namespace, so one test process could not tell them apart.
/// </summary>
public sealed class EntryPoint;
