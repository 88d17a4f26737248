namespace TokenClient;

/// <summary>What a token-exchange handler does with a request that has no caller token to exchange (no HTTP request in progress).</summary>
public enum SubjectTokenMissing
{
    /// <summary>Refuse: the request is not sent, <see cref="TokenAcquisitionException"/> is thrown (the default).</summary>
    Refuse,

    /// <summary>
    /// Use the same client's own client-credentials token: for work that runs later on the service's own authority,
    /// such as an outbox retry. The API then sees the service acting for itself.
    /// </summary>
    UseClientCredentials,
}
