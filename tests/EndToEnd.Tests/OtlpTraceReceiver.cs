using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests;

/// <summary>One span as a service exported it.</summary>
public sealed record Span(
    string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, SpanKind Kind,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);
}

/// <summary>OTLP's span kinds (opentelemetry/proto/trace/v1/trace.proto).</summary>
public enum SpanKind { Unspecified, Internal, Server, Client, Producer, Consumer }

/// <summary>
/// A minimal OTLP/HTTP (protobuf) receiver on a loopback port: the services export their traces here instead of
/// to the dashboard, so a test can read the spans. Logs and metrics are accepted and dropped.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly List<Span> _spans = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    public Uri Endpoint { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/traces", ReceiveAsync);
        _app.MapPost("/v1/{signal}", () => Results.Ok());
        await _app.StartAsync();
        Endpoint = new Uri(_app.Urls.Single());
    }

    /// <summary>Waits until the spans received so far satisfy <paramref name="complete"/>; bounded by <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<Span>> WaitForSpansAsync(Func<IReadOnlyList<Span>, bool> complete, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            IReadOnlyList<Span> spans;
            lock (_lock)
            {
                spans = [.. _spans];
                arrived = _arrived.Task;
            }

            if (complete(spans))
            {
                return spans;
            }

            try
            {
                await arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return spans; // the caller's assertions say what is missing
            }
        }
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var spans = Decode(ByteString.CopyFrom(body.ToArray()));
        lock (_lock)
        {
            _spans.AddRange(spans);
            _arrived.TrySetResult();
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return Results.Ok();
    }

    // ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource { 1: KeyValue }, 2: ScopeSpans { 1: Scope { 1: name }, 2: Span } } }
    private static List<Span> Decode(ByteString request)
    {
        var spans = new List<Span>();
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1 && f.IsBytes))
        {
            var resourceFields = Fields(resourceSpans.Bytes);
            var service = Attributes(Bytes(resourceFields, 1), 1).GetValueOrDefault("service.name", "");
            foreach (var scopeSpans in resourceFields.Where(f => f.Number == 2 && f.IsBytes))
            {
                var scopeFields = Fields(scopeSpans.Bytes);
                var scope = Bytes(Fields(Bytes(scopeFields, 1)), 1).ToStringUtf8();
                spans.AddRange(scopeFields.Where(f => f.Number == 2 && f.IsBytes).Select(f => ToSpan(service, scope, f.Bytes)));
            }
        }

        return spans;
    }

    // Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 6: kind, 9: attributes }
    private static Span ToSpan(string service, string scope, ByteString span)
    {
        var fields = Fields(span);
        string Hex(int number) => Convert.ToHexStringLower(Bytes(fields, number).Span);
        return new Span(
            service,
            scope,
            Hex(1),
            Hex(2),
            Hex(4),
            Bytes(fields, 5).ToStringUtf8(),
            (SpanKind)fields.FirstOrDefault(f => f.Number == 6).Varint,
            Attributes(span, 9));
    }

    // KeyValue { 1: key, 2: AnyValue { 1: string_value } }; other value types are not needed here.
    private static Dictionary<string, string> Attributes(ByteString message, int number)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message).Where(f => f.Number == number && f.IsBytes).Select(f => Fields(f.Bytes)))
        {
            attributes[Bytes(keyValue, 1).ToStringUtf8()] = Bytes(Fields(Bytes(keyValue, 2)), 1).ToStringUtf8();
        }

        return attributes;
    }

    private static ByteString Bytes(List<Field> fields, int number) =>
        fields.Find(f => f.Number == number && f.IsBytes).Bytes ?? ByteString.Empty;

    private readonly record struct Field(int Number, bool IsBytes, ByteString Bytes, ulong Varint);

    // Protobuf's wire format read field by field: enough to pick the few fields above without generated classes.
    private static List<Field> Fields(ByteString message)
    {
        var fields = new List<Field>();
        var input = message.CreateCodedInput();
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, IsBytes: true, input.ReadBytes(), 0));
                    break;
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, IsBytes: false, ByteString.Empty, input.ReadUInt64()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
    }
}
