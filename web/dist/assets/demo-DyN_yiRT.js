import{C as e,S as t,T as n,_ as r,a as i,d as a,h as o,l as s,o as c,s as l,u,x as d}from"./index-DxqffoRM.js";import{t as f}from"./studio-CNGYIY3p.js";a(f);function p(){if(customElements.get(`hawker-show`)||document.querySelector(`script[src="/embed.js"]`))return;let e=document.createElement(`script`);e.type=`module`,e.src=`/embed.js`,document.head.append(e)}var m=class extends d{static{this.styles=[c,n`
      :host { display: block; background: #fdf8f0; color: #292524; min-height: 70vh; }
      .bar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .75rem 1.25rem; background: #14532d; color: #fefce8; }
      .logo { font-family: Georgia, "Times New Roman", serif; font-size: 1.35rem; font-weight: 700; }
      .cartcount { font-weight: 700; }
      .wrap { max-width: 70rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
      .intro { max-width: 46rem; }
      .layout { display: grid; gap: 1.5rem; grid-template-columns: 1fr; align-items: start; }
      @media (min-width: 820px) { .layout { grid-template-columns: minmax(300px, 420px) 1fr; } }
      aside { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
      .box { background: #fff; border-radius: .75rem; padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
      h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
      ul { margin: 0; padding-left: 1.1rem; }
      ol.log { margin: 0; padding-left: 1.2rem; font-size: .85rem; display: flex; flex-direction: column; gap: .3rem; }
      ol.log li { overflow-wrap: anywhere; min-width: 0; }
      code, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
      pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f4; padding: .6rem; border-radius: .5rem; margin: 0; }
      .controls { display: flex; gap: .75rem; flex-wrap: wrap; }
      label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; font-weight: 600; }
      select { min-height: 40px; border-radius: .5rem; border: 1px solid #a8a29e; background: #fff; color: #292524; padding: 0 .4rem; }
      .total { font-weight: 700; margin-top: .5rem; }
    `]}static{this.properties={showId:{state:!0},missing:{state:!0},theme:{state:!0},embedLang:{state:!0},cart:{state:!0},log:{state:!0},titles:{state:!0}}}constructor(){super(),this.st=new l(this),this.onEvent=e=>this.record(e),this.showId=``,this.missing=!1,this.theme=`dark`,this.embedLang=``,this.cart=[],this.log=[],this.titles={}}connectedCallback(){super.connectedCallback();for(let e of[`hawker:product-click`,`hawker:add-to-cart`,`hawker:order-placed`])this.addEventListener(e,this.onEvent);p(),this.pickShow()}disconnectedCallback(){super.disconnectedCallback();for(let e of[`hawker:product-click`,`hawker:add-to-cart`,`hawker:order-placed`])this.removeEventListener(e,this.onEvent)}async pickShow(){let e=new URLSearchParams(location.search).get(`show`);if(e)this.showId=e;else try{let e=(await r(`/api/v1/shows?limit=50`)).items,t=e.find(e=>e.state===`live`)??e.find(e=>e.state===`scheduled`);t?this.showId=t.id:this.missing=!0}catch{this.missing=!0}}record(e){if(this.log=[{type:e.type,detail:JSON.stringify(e.detail)},...this.log].slice(0,12),e.type!==`hawker:add-to-cart`)return;let t=e.detail,n=this.cart.find(e=>e.sku_id===t.sku_id&&e.price.amount===t.price.amount);this.cart=n?this.cart.map(e=>e===n?{...e,quantity:e.quantity+t.quantity}:e):[...this.cart,{sku_id:t.sku_id,product_id:t.product_id,quantity:t.quantity,price:t.price,market:t.market}],this.titles[t.product_id]||r(`/api/v1/products/${encodeURIComponent(t.product_id)}`).then(e=>this.titles={...this.titles,[t.product_id]:i(e.product,s.lang)}).catch(()=>void 0)}render(){this.st;let n=this.cart.reduce((e,t)=>e+t.quantity,0),r=new Map;for(let e of this.cart){let t=r.get(e.price.currency)??{amount:0,market:e.market};r.set(e.price.currency,{amount:t.amount+e.price.amount*e.quantity,market:e.market})}let i=`<script type="module" src="${location.origin}/embed.js"><\/script>\n<hawker-show show="${this.showId||`shw_…`}"></hawker-show>`;return e`
      <div class="bar">
        <span class="logo">${u(`demo.shopName`)}</span>
        <span class="cartcount" data-testid="demo-cart-count">${u(`demo.cartCount`,{n})}</span>
      </div>
      <div class="wrap">
        <h1>${u(`demo.title`)}</h1>
        <p class="intro">${u(`demo.intro`)}</p>
        <div class="layout">
          <div>
            ${this.showId?e`<hawker-show show=${this.showId} theme=${this.theme} locale=${this.embedLang||s.lang} market=${s.market?.code??``}></hawker-show>`:this.missing?e`<p role="status">${u(`demo.noShow`)}</p>`:e`<p role="status">${u(`common.loading`)}</p>`}
          </div>
          <aside>
            <div class="box">
              <h2>${u(`demo.cart`)}</h2>
              ${this.cart.length?e`<ul data-testid="demo-cart">
                    ${this.cart.map(t=>e`<li>${t.quantity} × ${this.titles[t.product_id]??t.product_id} — ${s.moneyOf(t.price,t.market)}</li>`)}
                  </ul>
                  <p class="total">${u(`demo.total`)}: ${[...r].map(([e,t])=>s.moneyOf({amount:t.amount,currency:e},t.market)).join(` · `)}</p>`:e`<p class="muted">${u(`demo.cartEmpty`)}</p>`}
            </div>
            <div class="box">
              <h2>${u(`demo.events`)}</h2>
              ${this.log.length?e`<ol class="log" data-testid="demo-events">${this.log.map(t=>e`<li><code>${t.type}</code> ${t.detail}</li>`)}</ol>`:e`<p class="muted">${u(`demo.eventsEmpty`)}</p>`}
            </div>
            <div class="box">
              <h2>${u(`demo.settings`)}</h2>
              <div class="controls">
                <label>${u(`demo.theme`)}
                  <select @change=${e=>this.theme=e.target.value}>
                    <option value="dark" ?selected=${this.theme===`dark`}>${u(`demo.dark`)}</option>
                    <option value="light" ?selected=${this.theme===`light`}>${u(`demo.light`)}</option>
                  </select>
                </label>
                <label>${u(`demo.language`)}
                  <select @change=${e=>this.embedLang=e.target.value}>
                    ${Object.entries(o).map(([t,n])=>e`<option value=${t} lang=${t} ?selected=${t===(this.embedLang||s.lang)}>${n}</option>`)}
                  </select>
                </label>
              </div>
            </div>
            <div class="box">
              <h2>${u(`demo.snippet`)}</h2>
              <pre><code>${i}</code></pre>
              <p class="muted">${u(`demo.snippetHelp`)}</p>
            </div>
          </aside>
        </div>
      </div>
      ${t}
    `}};customElements.define(`hawker-embed-demo`,m);export{m as HawkerEmbedDemo};