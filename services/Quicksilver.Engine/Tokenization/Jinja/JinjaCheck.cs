namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>Checks a parsed template's filters and tests against those this engine implements, so that a template using another fails when it loads.</summary>
internal static class JinjaCheck
{
    public static void Names(IReadOnlyList<Node> nodes)
    {
        foreach (Node node in nodes)
        {
            switch (node)
            {
                case OutputNode output:
                    Names(output.Value);
                    break;
                case IfNode conditional:
                    foreach ((Expression condition, IReadOnlyList<Node> body) in conditional.Branches)
                    {
                        Names(condition);
                        Names(body);
                    }

                    Names(conditional.Else);
                    break;
                case ForNode loop:
                    Names(loop.Iterable);
                    if (loop.Filter is not null)
                    {
                        Names(loop.Filter);
                    }

                    Names(loop.Body);
                    Names(loop.Else);
                    break;
                case SetNode set:
                    Names(set.Value);
                    break;
                case SetBlockNode block:
                    Names(block.Body);
                    break;
                case MacroNode macro:
                    foreach ((_, Expression? fallback) in macro.Parameters)
                    {
                        if (fallback is not null)
                        {
                            Names(fallback);
                        }
                    }

                    Names(macro.Body);
                    break;
            }
        }
    }

    private static void Names(Expression expression)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new JinjaException("the template nests too deeply");
        }

        switch (expression)
        {
            case Filter filter:
                if (!JinjaBuiltins.Filters.Contains(filter.FilterName))
                {
                    throw new JinjaException($"line {filter.Line}: the filter '{filter.FilterName}' is not supported by this server's chat template engine");
                }

                Names(filter.Value);
                All(filter.Arguments);
                All(filter.Keywords.Select(k => k.Value));
                break;
            case Test test:
                if (!JinjaBuiltins.Tests.Contains(test.TestName))
                {
                    throw new JinjaException($"line {test.Line}: the test '{test.TestName}' is not supported by this server's chat template engine");
                }

                Names(test.Value);
                All(test.Arguments);
                break;
            case ListLiteral list:
                All(list.Items);
                break;
            case DictLiteral dict:
                All(dict.Entries.SelectMany(e => new[] { e.Key, e.Value }));
                break;
            case Attribute attribute:
                Names(attribute.Target);
                break;
            case Subscript subscript:
                Names(subscript.Target);
                Names(subscript.Index);
                break;
            case Slice slice:
                Names(slice.Target);
                All(new[] { slice.Start, slice.Stop, slice.Step }.OfType<Expression>());
                break;
            case Call call:
                Names(call.Callee);
                All(call.Arguments);
                All(call.Keywords.Select(k => k.Value));
                break;
            case Unary unary:
                Names(unary.Operand);
                break;
            case Binary binary:
                Names(binary.Left);
                Names(binary.Right);
                break;
            case Comparison chain:
                Names(chain.First);
                All(chain.Links.Select(link => link.Operand));
                break;
            case Conditional conditional:
                Names(conditional.Condition);
                Names(conditional.WhenTrue);
                if (conditional.WhenFalse is not null)
                {
                    Names(conditional.WhenFalse);
                }

                break;
        }
    }

    private static void All(IEnumerable<Expression> expressions)
    {
        foreach (Expression expression in expressions)
        {
            Names(expression);
        }
    }
}
